"""What a probe looks at: a path with the kind of artifact it holds, or a live object.

``detect`` works the kind out from file names and, for config files, the keys they hold; it reads
small JSON/YAML files and nothing else. What it could not read, or would not follow, it keeps as the
target's ``problems`` (each becomes a finding about that file; the other paths are still checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import read
from .refuse import Refusal

# Kinds of paths.
MODEL = "model"  # a Hugging Face model/checkpoint folder with weights (config.json optional)
MODEL_CONFIG = "model-config"  # a model's config: HF config.json (or a folder with only that), cn_clip JSON
CHECKPOINT = "checkpoint"  # one weights file: .safetensors .bin .pt .pth .ckpt
ADAPTER = "adapter"  # a PEFT adapter folder
LLAMAFACTORY = "llamafactory"  # a LLaMA-Factory training YAML (or JSON)
DEEPSPEED = "deepspeed"  # a DeepSpeed config JSON
TRAINING_ARGS = "training-args"  # TrainingArguments / Trainer / trl config JSON
TRAINER_STATE = "trainer-state"  # trainer_state.json
ORBAX = "orbax"  # a Flax/Orbax checkpoint folder
MISSING = "missing"
UNKNOWN = "unknown"
UNREADABLE = "unreadable"  # a config file that is not readable JSON/YAML (its problem says why)
# Kinds of live objects.
MODULE = "module"  # torch.nn.Module, PreTrainedModel, PeftModel
TRAINER = "trainer"  # transformers.Trainer and subclasses (trl, LLaMA-Factory)
OPTIMIZER = "optimizer"  # torch.optim.Optimizer

TRAINING_CONFIGS = (LLAMAFACTORY, TRAINING_ARGS)
LIVE = (MODULE, TRAINER, OPTIMIZER)

_LLAMAFACTORY_KEYS = {"stage", "finetuning_type", "template", "dataset", "lora_target", "cutoff_len",
                      "freeze_vision_tower", "freeze_language_model", "quantization_bit"}
_TRAINING_ARGS_KEYS = {"per_device_train_batch_size", "learning_rate", "num_train_epochs", "output_dir",
                       "gradient_accumulation_steps", "max_steps", "logging_steps"}
_CNCLIP_KEYS = {"vision_width", "vision_layers", "vision_patch_size"}


@dataclass(frozen=True)
class Target:
    """One artifact to probe.

    ``base`` is the model folder or config the artifact is meant for, when the user gave one beside
    it (an adapter and its base model, a state-dict file and the config it should load into).
    ``related`` holds the other paths given in the same call (a DeepSpeed JSON next to a YAML).
    ``problems``: files of the artifact that were not read (invalid configs, links out of it).
    """

    kind: str
    path: Path | None = None
    obj: object = field(default=None, compare=False)
    base: Path | None = None
    related: tuple[Path, ...] = ()
    problems: tuple[Refusal, ...] = field(default=(), compare=False)

    @property
    def subject(self) -> str:
        if self.path is not None:
            return str(self.path)
        return type(self.obj).__name__

    @property
    def config(self) -> dict | None:
        """The model config (as a dict) this target holds or is meant for, if one is at hand."""
        for place in (self.path, self.base):
            if place is None:
                continue
            found = model_config(place)
            if found is not None:
                return found
        return None


def model_config(place: Path) -> dict | None:
    """Read a model config from a folder's config.json or a config JSON file.

    ``None`` if absent, unreadable or a link out of the folder (:func:`detect` reports those).
    """
    file = place / "config.json" if place.is_dir() else place
    if file.suffix != ".json" or not file.is_file() or (place.is_dir() and not read.inside(file, place)):
        return None
    try:
        data = read.json_file(file)
    except read.ConfigError:
        return None
    if isinstance(data, dict) and ("model_type" in data or _CNCLIP_KEYS <= data.keys()):
        return data
    return None


def detect(path: Path) -> Target:
    path = Path(path)
    if not path.exists():
        return Target(MISSING, path)
    if path.is_dir():
        return Target(_folder_kind(path), path, problems=tuple(_folder_problems(path)))
    try:
        return Target(_file_kind(path), path)
    except Refusal as problem:
        return Target(UNREADABLE, path, problems=(problem,))


def _folder_problems(folder: Path) -> list[Refusal]:
    """Links out of the folder among the files kbfix reads, and its configs that do not parse."""
    problems: list[Refusal] = [
        read.Outside("a link out of the artifact; kbfix does not follow it", zh="指向产物之外的链接；kbfix 不跟随它",
                     subject=str(link)) for link in read.escaping(folder)]
    for name in ("config.json", "adapter_config.json", *read.INDEX_NAMES):
        file = folder / name
        if file.is_file() and read.inside(file, folder):
            limit = read.MAX_INDEX_BYTES if name in read.INDEX_NAMES else read.MAX_CONFIG_BYTES
            try:
                read.json_file(file, limit=limit)
            except read.ConfigError as problem:
                problems.append(problem)
    return problems


def _folder_kind(folder: Path) -> str:
    names = {p.name for p in folder.iterdir()}
    weights = read.full_weight_files(folder)
    if "adapter_config.json" in names and not weights:
        return ADAPTER
    if weights or any(n.endswith(".index.json") for n in names):
        return MODEL
    if any(n.startswith("adapter_model.") for n in names):
        return ADAPTER
    if "config.json" in names:
        return MODEL_CONFIG
    if "_METADATA" in names or "_CHECKPOINT_METADATA" in names or any(n.endswith(".msgpack") for n in names):
        return ORBAX
    return UNKNOWN


def _file_kind(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix in read.WEIGHT_SUFFIXES:
        return CHECKPOINT
    if suffix in (".yaml", ".yml"):
        data = read.config_file(file)
        return LLAMAFACTORY if isinstance(data, dict) and data.keys() & _LLAMAFACTORY_KEYS else UNKNOWN
    if suffix != ".json":
        return UNKNOWN
    if file.name == "trainer_state.json":
        return TRAINER_STATE
    data = read.json_file(file)
    if not isinstance(data, dict):
        return UNKNOWN
    keys = data.keys()
    if "zero_optimization" in keys or "train_micro_batch_size_per_gpu" in keys:
        return DEEPSPEED
    if "model_type" in keys or _CNCLIP_KEYS <= keys:
        return MODEL_CONFIG
    if "peft_type" in keys:
        return UNKNOWN  # a lone adapter_config.json: the adapter is its folder
    if keys & _LLAMAFACTORY_KEYS and "model_name_or_path" in keys:
        return LLAMAFACTORY
    if keys & _TRAINING_ARGS_KEYS:
        return TRAINING_ARGS
    if "log_history" in keys and "global_step" in keys:
        return TRAINER_STATE
    return UNKNOWN


def of_object(obj: object) -> Target:
    """Classify a live object by its class hierarchy, without importing torch or transformers."""
    names = {(c.__module__.split(".")[0], c.__name__) for c in type(obj).__mro__}
    if ("transformers", "Trainer") in names:
        return Target(TRAINER, obj=obj)
    if ("torch", "Module") in names:
        return Target(MODULE, obj=obj)
    if ("torch", "Optimizer") in names:
        return Target(OPTIMIZER, obj=obj)
    return Target(UNKNOWN, obj=obj)
