"""A LLaMA model file in the GGJT v3 format llama.cpp wrote before GGUF (the ``*.ggmlv3.q4_0.bin`` files of 2023),
read by a loader that knows only GGUF.

The file is written byte by byte as llama.cpp's old ``llama_file_saver`` wrote it: the magic 'ggjt' as a little-endian
uint32 (the bytes ``tjgg``), version 3, the seven hyperparameters (n_vocab, n_embd, n_mult, n_head, n_layer, n_rot,
ftype = all F32), the vocabulary (length, bytes, score per token) and one LLaMA block of tensors (n_dims, name length,
type, dims, name, padding to 32 bytes, data). Hidden size 8, two heads, a byte-fallback vocabulary of 285 tokens,
random weights: nothing is downloaded.

reproduce() hands it to llama.cpp's GGUF loader, through GPT4All 2.8.2's Python package (its wheels bundle prebuilt
llama.cpp libraries; the CPU one is used here): the real ``gguf_init_from_file: invalid magic characters 'tjgg'`` and
``Unable to instantiate model``; and to gguf-py's ``GGUFReader`` (the ``gguf`` package, which transformers'
``gguf_file=`` loading, ComfyUI-GGUF and ``gguf_dump.py`` use): the real ``ValueError: GGUF magic invalid``.
fixed() applies fix 0, a GGUF of the same model (written with gguf's ``GGUFWriter``, as a current converter writes the
GGUF release), and fix 1, the GGJT file converted by llama.cpp's own ``convert-llama-ggml-to-gguf.py`` with its gguf-py
(the vendor/llama.cpp of llama-cpp-python 0.2.70's source distribution, May 2024: the same script from llama.cpp after
PR #7234 fails on quantized files and writes wrong shapes for F32 ones). ``GGUFReader`` reads both files and GPT4All
2.8.2 loads both and generates. The converter parsing the hand-written file (``* File format: GGJTv3 with ftype
ALL_F32``) is also the check that it is a true GGJT v3 file.

Neither gguf, that source distribution nor gpt4all is in the test environment: ``OVERLAY`` pins gguf and ``SOURCES``
names the sdist and the gpt4all release (``scripts/verify.py --overlays`` installs and unpacks them; gpt4all publishes
wheels only); without them the test skips this entry.
"""

import os
import struct
import tempfile
import traceback

from kbfix.reproduce import failed, llama_cpp_convert, run_script, source_folder, succeeded

SOURCES = ("llama-cpp-python==0.2.70", "gpt4all==2.8.2")
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0, 1)

GGJT_MAGIC = 0x67676A74  # 'ggjt', written little-endian: b"tjgg" on disk
# the vocabulary as the old format stored it: bytes per token, the 256 byte-fallback tokens as the raw byte
VOCAB = ([b"<unk>", b"<s>", b"</s>"] + [bytes([b]) for b in range(256)]
         + [b" " + bytes([97 + i]) for i in range(13)] + [bytes([97 + i]) for i in range(13)])
EMBED, HEADS, FF = 8, 2, 16


def _tensors():
    """The LLaMA tensors under their pre-GGUF names, with PyTorch shapes (rows, columns)."""
    import numpy as np

    rng = np.random.default_rng(0)
    dense = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    vocab = len(VOCAB)
    ones = lambda: np.ones(EMBED, np.float32)
    return [("tok_embeddings.weight", dense(vocab, EMBED)), ("norm.weight", ones()),
            ("output.weight", dense(vocab, EMBED)),
            ("layers.0.attention.wq.weight", dense(EMBED, EMBED)),
            ("layers.0.attention.wk.weight", dense(EMBED, EMBED)),
            ("layers.0.attention.wv.weight", dense(EMBED, EMBED)),
            ("layers.0.attention.wo.weight", dense(EMBED, EMBED)),
            ("layers.0.attention_norm.weight", ones()),
            ("layers.0.feed_forward.w1.weight", dense(FF, EMBED)),
            ("layers.0.feed_forward.w2.weight", dense(EMBED, FF)),
            ("layers.0.feed_forward.w3.weight", dense(FF, EMBED)),
            ("layers.0.ffn_norm.weight", ones())]


def write_ggjt_v3(path):
    """A GGJT v3 file as llama.cpp's llama_file_saver wrote it (2023-05 .. 2023-08), all tensors F32 (type 0)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<II", GGJT_MAGIC, 3))
        n_mult, n_layer, ftype = 16, 1, 0
        f.write(struct.pack("<7I", len(VOCAB), EMBED, n_mult, HEADS, n_layer, EMBED // HEADS, ftype))
        for i, data in enumerate(VOCAB):
            f.write(struct.pack("<I", len(data)) + data + struct.pack("<f", -float(i)))
        for name, array in _tensors():
            dims = tuple(reversed(array.shape))  # ggml order: ne0 (the row length) first
            raw = name.encode()
            f.write(struct.pack(f"<3I{len(dims)}I", len(dims), len(raw), 0, *dims) + raw)
            f.write(b"\0" * (-f.tell() % 32))
            f.write(array.tobytes())


def write_gguf(path):
    """The same model as a GGUF, as the GGUF release of a model on the Hub is written."""
    import gguf
    import numpy as np

    names = {"tok_embeddings": "token_embd", "norm": "output_norm", "output": "output",
             "layers.0.attention.wq": "blk.0.attn_q", "layers.0.attention.wk": "blk.0.attn_k",
             "layers.0.attention.wv": "blk.0.attn_v", "layers.0.attention.wo": "blk.0.attn_output",
             "layers.0.attention_norm": "blk.0.attn_norm", "layers.0.feed_forward.w1": "blk.0.ffn_gate",
             "layers.0.feed_forward.w2": "blk.0.ffn_down", "layers.0.feed_forward.w3": "blk.0.ffn_up",
             "layers.0.ffn_norm": "blk.0.ffn_norm"}
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny-llama")
    writer.add_context_length(32)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(1)
    writer.add_feed_forward_length(FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("llama")
    tokens = (["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
              + [t.decode().replace(" ", "\u2581") for t in VOCAB[259:]])
    writer.add_token_list(tokens)
    writer.add_token_scores([-float(i) for i in range(len(tokens))])
    writer.add_token_types([2, 3, 3] + [6] * 256 + [1] * 26)
    for name, array in _tensors():
        writer.add_tensor(names[name.rsplit(".", 1)[0]] + ".weight", np.ascontiguousarray(array))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _read(path):
    """What a GGUF-only loader sees: gguf-py's reader, the tensors and the vocabulary."""
    import gguf

    reader = gguf.GGUFReader(path)
    tokens = reader.fields["tokenizer.ggml.tokens"]
    return f"{os.path.basename(path)}: {len(reader.tensors)} tensors, {len(tokens.data)} tokens"


# llama.cpp's own loader, through GPT4All's Python package (its wheels bundle prebuilt llama.cpp libraries; the CPU
# one is used here): load the file and generate three tokens
_GPT4ALL_LOAD = """
import os, sys
sys.path.insert(0, sys.argv[1])
from importlib.metadata import version
from gpt4all import GPT4All

print("gpt4all", version("gpt4all"), flush=True)
model = GPT4All(os.path.basename(sys.argv[2]), model_path=os.path.dirname(sys.argv[2]), allow_download=False,
                device="cpu", n_ctx=32)
print(f"generated {len(model.generate('ab', max_tokens=3))} characters", flush=True)
"""


def _gpt4all(path):
    return run_script(_GPT4ALL_LOAD, args=(str(source_folder(SOURCES[1])), path), env={"HF_HUB_OFFLINE": "1"},
                      timeout=200)


def reproduce():
    """The GGJT v3 .bin handed to llama.cpp's GGUF loader (GPT4All 2.8.2): `gguf_init_from_file: invalid magic
    characters 'tjgg'`, then `Unable to instantiate model`; and to gguf-py's GGUFReader: `ValueError: GGUF magic
    invalid`. Returns both outputs, the reader's traceback last."""
    import gguf

    with tempfile.TemporaryDirectory() as folder:
        write_ggjt_v3(os.path.join(folder, "ggml-model-q4_0.bin"))
        output = failed(_gpt4all(os.path.join(folder, "ggml-model-q4_0.bin")))
        assert "invalid magic characters 'tjgg'" in output, output
        try:
            reader = gguf.GGUFReader(os.path.join(folder, "ggml-model-q4_0.bin"))  # noqa: F841 (raises)
        except ValueError:
            return output + "\n" + traceback.format_exc()
        raise AssertionError("GGUFReader read a GGJT file")


def fixed():
    """Fix 0: the model's GGUF release; fix 1: the .bin converted by llama.cpp's convert_llama_ggml_to_gguf.py. Both
    are read by GGUFReader and loaded by GPT4All 2.8.2's llama.cpp, which generates."""
    with tempfile.TemporaryDirectory() as folder:
        release = os.path.join(folder, "tiny-llama.Q4_0.gguf")
        write_gguf(release)
        lines = [_read(release), succeeded(_gpt4all(release), "gpt4all 2.8.2", "generated ")]
        ggml_bin = os.path.join(folder, "ggml-model-q4_0.bin")
        write_ggjt_v3(ggml_bin)
        converted = os.path.join(folder, "ggml-model-q4_0.gguf")
        run = llama_cpp_convert(SOURCES[0], "convert-llama-ggml-to-gguf.py", "--input", ggml_bin, "--output", converted,
                                "--eps", "1e-5", "--context-length", "32")
        lines.append(succeeded(run, "Successful completion"))
        lines.append(_read(converted))
        lines.append(succeeded(_gpt4all(converted), "gpt4all 2.8.2", "generated "))
        output = "\n".join(lines)
        assert "invalid magic" not in output, output
        return output
