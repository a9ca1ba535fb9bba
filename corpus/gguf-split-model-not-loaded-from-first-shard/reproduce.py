"""A model split into two GGUF shards the way llama-gguf-split and convert_hf_to_gguf.py --split-max-tensors write
them (``tiny-llama-00001-of-00002.gguf``, ``tiny-llama-00002-of-00002.gguf``: every shard a GGUF of its own, the
model's metadata and ``split.no`` / ``split.count`` / ``split.tensors.count`` in the first), then loaded wrongly by
llama.cpp's own loader.

The shards are written by gguf-py's ``GGUFWriter`` with ``split_max_tensors`` (the writer convert_hf_to_gguf.py uses
for ``--split-max-tensors``): one llama block, hidden size 8, two heads, a byte-fallback vocabulary of 285 tokens,
random weights, nothing downloaded. The loader is llama.cpp as GPT4All 2.8.2's Python package bundles it (prebuilt
CPU library, no compiler needed).

reproduce() joins the two shards with ``cat`` into ``tiny-llama.gguf`` (what users do to "merge" a download): llama.cpp
prints ``llama_model_load: error loading model: invalid split file: tiny-llama.gguf`` and nothing is generated; then
the first shard with the second one missing: ``failed to load GGUF split from tiny-llama-00002-of-00002.gguf``.
fixed() applies fix 0: the first shard with the second beside it under its original name loads (``additional 1 GGUFs
metadata loaded``) and generates.

Neither gguf nor gpt4all is in the test environment: ``OVERLAY`` pins gguf and ``SOURCES`` names the gpt4all release,
whose wheel ``scripts/verify.py --overlays`` unpacks; without them the test skips this entry.
"""

from kbfix.reproduce import failed, gpt4all_generate, succeeded

SOURCES = ("gpt4all==2.8.2",)
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("gguf==0.19.0",)
REQUIRES = ("numpy", "gguf")
FIXES = (0,)

# write the model as two shards (13 tensors, at most 7 per shard), then arrange the folder as the case needs
WRITE = '''
import functools, os
_writer = gguf.GGUFWriter
gguf.GGUFWriter = functools.partial(_writer, split_max_tensors=7)
write_tiny_llama_gguf("tiny-llama.gguf", "tiny-llama-split")
gguf.GGUFWriter = _writer
first, second = "tiny-llama-00001-of-00002.gguf", "tiny-llama-00002-of-00002.gguf"
reader = gguf.GGUFReader(first)
count = int(reader.fields["split.count"].parts[-1][0])
print(f"{{first}}: split.count {{count}}, {{len(reader.tensors)}} tensors; {{second}}: "
      f"{{len(gguf.GGUFReader(second).tensors)}} tensors", flush=True)
case = {case!r}
if case == "cat":
    with open("tiny-llama.gguf", "wb") as joined:
        for shard in (first, second):
            with open(shard, "rb") as part:
                joined.write(part.read())
    print("cat tiny-llama-00001-of-00002.gguf tiny-llama-00002-of-00002.gguf > tiny-llama.gguf", flush=True)
elif case == "missing":
    os.remove(second)
    print(f"only {{first}} downloaded", flush=True)
'''


def _load(case: str, model_file: str) -> tuple[int, str]:
    return gpt4all_generate(SOURCES[0], WRITE.format(case=case), model_file)


def reproduce():
    """The cat-joined file, then the first shard without the second: llama.cpp refuses both."""
    joined = failed(_load("cat", "tiny-llama.gguf"))
    assert "invalid split file" in joined, joined
    missing = failed(_load("missing", "tiny-llama-00001-of-00002.gguf"))
    assert "failed to load GGUF split from" in missing, missing
    return joined + "\n" + missing


def fixed():
    """Fix 0: the first shard, with the second beside it under its original name."""
    return succeeded(_load("both", "tiny-llama-00001-of-00002.gguf"), "gpt4all 2.8.2", "generated ")
