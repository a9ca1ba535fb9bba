"""A folder of training audio with one unreadable file: ``soundfile.LibsndfileError: Error opening '...': Format not
recognised.``

A 0.1 s WAV tone is written with the standard library's ``wave`` beside a zero-byte ``.wav`` (as a tool that wrote an
empty output, or an interrupted download, leaves it). Reading every file with soundfile fails on the empty one with the
real libsndfile error. fixed() applies fix 0: every file is checked with ``soundfile.info`` in a try/except, the
unreadable one is dropped, and the rest is read.

soundfile is not in the environment; its manylinux wheels bundle libsndfile (verified with 0.13.1 as an overlay):

    pip install --no-deps --target /tmp/sf "soundfile==0.13.1"
    PYTHONPATH=/tmp/sf:$PWD python scripts/run_reproducer.py audio-file-unreadable-by-libsndfile
"""

import os
import shutil
import tempfile

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("soundfile==0.13.1",)
REQUIRES = ("soundfile", "numpy", "cffi")
FIXES = (0,)

RATE = 16000


def _folder() -> str:
    import wave

    import numpy as np

    folder = tempfile.mkdtemp()
    tone = (np.sin(np.arange(RATE // 10) * 2 * np.pi * 440 / RATE) * 3000).astype("<i2")
    with wave.open(os.path.join(folder, "0001.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(tone.tobytes())
    open(os.path.join(folder, "0002.wav"), "wb").close()  # zero bytes
    return folder


def _paths(folder: str) -> list[str]:
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder))]


def reproduce():
    import soundfile as sf

    folder = _folder()
    try:
        return [sf.read(path)[0].shape for path in _paths(folder)]  # LibsndfileError on 0002.wav
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fixed():
    import soundfile as sf

    folder = _folder()
    readable, dropped = [], []
    try:
        for path in _paths(folder):
            try:
                sf.info(path)  # fix 0: list what libsndfile cannot read
            except RuntimeError as err:
                dropped.append((os.path.basename(path), str(err).replace(folder, "<folder>")))
                continue
            readable.append(path)
        shapes = [sf.read(path)[0].shape for path in readable]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert shapes == [(RATE // 10,)] and len(dropped) == 1, (shapes, dropped)
    return f"read {len(shapes)} file(s), dropped {dropped}\n"
