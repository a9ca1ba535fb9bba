"""torchcodec installed but unable to load its libraries: ``RuntimeError: Could not load libtorchcodec``.

torchcodec 0.10.0 (built for torch 2.10 and FFmpeg 4 to 8) is put in front of the environment as a PYTHONPATH overlay
(``scripts/verify.py --overlays`` installs OVERLAY, without its dependencies); the environment's torch is another
release and the machine has no FFmpeg, so every ``libtorchcodec_coreN`` fails to load, as in the reports. A one-row
``datasets`` dataset whose ``audio`` column (an ``Audio`` feature cast onto {"bytes", "path"} cells, so nothing is encoded
on the way in) holds a 0.1 s WAV tone is read: datasets >= 4.0 finds torchcodec, imports it to decode the cell, and
torchcodec raises the real RuntimeError.

fixed() applies fix 1 with the same broken torchcodec still on the path: the column is cast to ``Audio(decode=False)``
and the bytes are decoded by hand (the standard library's ``wave`` stands in for soundfile), so torchcodec is never
imported. Fix 0 (the matching torchcodec and an FFmpeg) needs an FFmpeg install and is a check.

    pip install --no-deps --target /tmp/tc "torchcodec==0.10.0"
    PYTHONPATH=/tmp/tc:$PWD python scripts/run_reproducer.py torchcodec-libraries-not-loadable
"""

from kbfix.reproduce import release_within, tiny_audio_dataset

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("torchcodec==0.10.0",)
# the module below is never installed: it stands for "datasets >= 4.0", which decodes audio with torchcodec
REQUIRES = ("datasets", "numpy", "torch", "torchcodec") + (
    () if release_within("datasets", (4, 0)) else ("kbfix_requires_datasets_4_or_later",))
FIXES = (1,)

RATE = 16000


def reproduce():
    ds = tiny_audio_dataset(decode=True)
    return ds[0]["audio"]  # datasets imports torchcodec to decode the cell: RuntimeError: Could not load libtorchcodec


def fixed():
    import io
    import wave

    import numpy as np

    cell = tiny_audio_dataset(decode=False)[0]["audio"]  # fix 1: {"bytes": ..., "path": ...}, torchcodec is not imported
    with wave.open(io.BytesIO(cell["bytes"]), "rb") as w:
        rate = w.getframerate()
        array = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype("float32") / 32768
    assert rate == RATE and array.shape == (RATE // 10,), (rate, array.shape)
    return f"decoded {array.shape[0]} samples at {rate} Hz from the undecoded column\n"
