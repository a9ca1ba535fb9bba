"""A one-row dataset whose ``audio`` column (an ``Audio`` feature cast onto {"bytes", "path"} cells, so nothing is
encoded on the way in) holds a 0.1 s WAV tone, read with the installed ``datasets``:

- datasets >= 4.0 without torchcodec raises the real
  ``ImportError: To support decoding audio data, please install 'torchcodec'.`` when the cell is read;

fixed() casts the column to ``Audio(decode=False)`` and decodes the bytes itself (fix 1; the standard library's
``wave`` stands in for soundfile). Nothing is downloaded or written outside memory.
"""

import importlib.util

from kbfix.reproduce import release_within, tiny_audio_dataset

# these modules are never installed: they stand for "datasets >= 4.0" and "no torchcodec in this environment"
REQUIRES = ("datasets", "numpy") + (
    () if release_within("datasets", (4, 0)) else ("kbfix_requires_datasets_4_or_later",)) + (
    () if importlib.util.find_spec("torchcodec") is None else ("kbfix_requires_torchcodec_absent",))
FIXES = (1,)

RATE = 16000


def reproduce():
    ds = tiny_audio_dataset(decode=True)
    return ds[0]["audio"]  # raises the ImportError on datasets >= 4.0 without torchcodec


def fixed():
    import io
    import wave

    import numpy as np

    cell = tiny_audio_dataset(decode=False)[0]["audio"]  # fix 1: {"bytes": ..., "path": ...}
    with wave.open(io.BytesIO(cell["bytes"]), "rb") as w:
        rate = w.getframerate()
        array = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype("float32") / 32768
    assert rate == RATE and array.shape == (RATE // 10,), (rate, array.shape)
    return f"decoded {array.shape[0]} samples at {rate} Hz from the undecoded column\n"
