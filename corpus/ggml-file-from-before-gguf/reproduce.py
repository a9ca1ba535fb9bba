"""A LLaMA model file in the GGJT v3 format llama.cpp wrote before GGUF (the ``*.ggmlv3.q4_0.bin`` files of 2023),
read by a loader that knows only GGUF.

The file is written byte by byte as llama.cpp's old ``llama_file_saver`` wrote it: the magic 'ggjt' as a little-endian
uint32 (the bytes ``tjgg``), version 3, the seven hyperparameters (n_vocab, n_embd, n_mult, n_head, n_layer, n_rot,
ftype = all F32), the vocabulary (length, bytes, score per token) and one LLaMA block of tensors (n_dims, name length,
type, dims, name, padding to 32 bytes, data). Hidden size 8, two heads, a byte-fallback vocabulary of 285 tokens,
random weights: nothing is downloaded.

reproduce() opens it with gguf-py's ``GGUFReader`` (the ``gguf`` package, which transformers' ``gguf_file=`` loading,
ComfyUI-GGUF and ``gguf_dump.py`` use): the real ``ValueError: GGUF magic invalid``. fixed() applies fix 0, a GGUF of
the same model (written with gguf's ``GGUFWriter``, as a current converter writes the GGUF release), and fix 1, the
GGJT file converted by llama.cpp's own ``convert_llama_ggml_to_gguf.py`` (from llama-cpp-python 0.3.16's source
distribution, which vendors llama.cpp); ``GGUFReader`` reads both, tensors and vocabulary. That converter parsing the
hand-written file (``* File format: GGJTv3 with ftype ALL_F32``) is also the check that it is a true GGJT v3 file.

Neither gguf nor that source distribution is in the test environment: ``OVERLAY`` pins gguf and ``SOURCES`` names the
sdist (``scripts/verify.py --overlays`` installs and unpacks them); without them the test skips this entry.
"""

import os
import struct
import tempfile

from kbfix.reproduce import llama_cpp_convert, succeeded

SOURCES = ("llama-cpp-python==0.3.16",)
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0, 1)

GGJT_MAGIC = 0x67676A74  # 'ggjt', written little-endian: b"tjgg" on disk
VOCAB = (["<unk>", "<s>", "</s>"] + [chr(b) if 32 <= b < 127 else "?" for b in range(256)]
         + [" " + chr(97 + i) for i in range(13)] + [chr(97 + i) for i in range(13)])
EMBED, HEADS, FF = 8, 2, 16


def _tensors():
    """The LLaMA tensors under their pre-GGUF names, with PyTorch shapes (rows, columns)."""
    import numpy as np

    rng = np.random.default_rng(0)
    dense = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    vocab = len(VOCAB)
    return [("tok_embeddings.weight", dense(vocab, EMBED)), ("norm.weight", np.ones(EMBED, np.float32)),
            ("output.weight", dense(vocab, EMBED)),
            ("layers.0.attention.wq.weight", dense(EMBED, EMBED)), ("layers.0.attention.wk.weight", dense(EMBED, EMBED)),
            ("layers.0.attention.wv.weight", dense(EMBED, EMBED)), ("layers.0.attention.wo.weight", dense(EMBED, EMBED)),
            ("layers.0.attention_norm.weight", np.ones(EMBED, np.float32)),
            ("layers.0.feed_forward.w1.weight", dense(FF, EMBED)), ("layers.0.feed_forward.w2.weight", dense(EMBED, FF)),
            ("layers.0.feed_forward.w3.weight", dense(FF, EMBED)), ("layers.0.ffn_norm.weight", np.ones(EMBED, np.float32))]


def write_ggjt_v3(path):
    """A GGJT v3 file as llama.cpp's llama_file_saver wrote it (2023-05 .. 2023-08), all tensors F32 (type 0)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<II", GGJT_MAGIC, 3))
        n_mult, n_layer, ftype = 16, 1, 0
        f.write(struct.pack("<7I", len(VOCAB), EMBED, n_mult, HEADS, n_layer, EMBED // HEADS, ftype))
        for i, text in enumerate(VOCAB):
            data = text.encode("utf-8")
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
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + [t.replace(" ", "\u2581") for t in VOCAB[259:]]
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


def reproduce():
    """The GGJT v3 .bin handed to gguf-py's GGUFReader: ValueError: GGUF magic invalid."""
    import gguf

    with tempfile.TemporaryDirectory() as folder:
        write_ggjt_v3(os.path.join(folder, "ggml-model-q4_0.bin"))
        reader = gguf.GGUFReader(os.path.join(folder, "ggml-model-q4_0.bin"))  # noqa: F841 (raises)


def fixed():
    """Fix 0: the model's GGUF release; fix 1: the .bin converted by llama.cpp's convert_llama_ggml_to_gguf.py."""
    with tempfile.TemporaryDirectory() as folder:
        release = os.path.join(folder, "tiny-llama.Q4_0.gguf")
        write_gguf(release)
        lines = [_read(release)]
        ggml_bin = os.path.join(folder, "ggml-model-q4_0.bin")
        write_ggjt_v3(ggml_bin)
        converted = os.path.join(folder, "ggml-model-q4_0.gguf")
        run = llama_cpp_convert(SOURCES[0], "convert_llama_ggml_to_gguf.py", "--input", ggml_bin, "--output", converted,
                                "--eps", "1e-5", "--context-length", "32")
        lines.append(succeeded(run, "Successful completion"))
        lines.append(_read(converted))
        return "\n".join(lines)
