"""A model file that arrived empty in ModelScope's temporary download folder, checked by ModelScope's own
``file_integrity_validation`` (the function ``http_get_model_file`` / ``download_file`` call after every download).

reproduce(): ``<cache>/._____temp/<org>/<model>/model-00001-of-00002.safetensors`` is written with zero bytes (a transfer
that received nothing) and validated against the SHA-256 of the published file (a tiny real safetensors file built
here); modelscope 1.31 deletes the file and raises ``FileIntegrityError: File ... integrity check failed, expected
sha256 signature is ..., actual is e3b0c442...b855, the download may be incomplete, please try again.``
fixed(): fix 0: the temp folder is removed and the file "downloaded again" completely (copied whole from a local
stand-in for the hub: no network here); the same validation passes.

modelscope is not a dependency of kbfix's test environment: where it is missing, REQUIRES names it and the test skips
this entry; ``scripts/verify.py --overlays`` installs the release below without its dependencies (this function
needs only the standard library and modelscope's own modules).
"""

import hashlib
import os
import shutil
import tempfile

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("modelscope==1.31.0",)
REQUIRES = ("modelscope",)
FIXES = (0,)


def _published(folder):
    """The 'hub' copy: a tiny safetensors file (8-byte header length, JSON header, one float32 tensor)."""
    header = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    data = len(header).to_bytes(8, "little") + header + b"\x00\x00\x80?\x00\x00\x00@"
    path = os.path.join(folder, "hub", "model-00001-of-00002.safetensors")
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as f:
        f.write(data)
    return path, hashlib.sha256(data).hexdigest()


def _temp_file(cache):
    temp_dir = os.path.join(cache, "._____temp", "org", "tiny-model")
    os.makedirs(temp_dir, exist_ok=True)
    return temp_dir, os.path.join(temp_dir, "model-00001-of-00002.safetensors")


def reproduce():
    from modelscope.hub.utils.utils import file_integrity_validation

    work = tempfile.mkdtemp()
    _, expected = _published(work)
    _, temp_file = _temp_file(os.path.join(work, "cache"))
    open(temp_file, "wb").close()                  # the download wrote nothing
    file_integrity_validation(temp_file, expected)


def fixed():
    from modelscope.hub.utils.utils import file_integrity_validation

    work = tempfile.mkdtemp()
    source, expected = _published(work)
    cache = os.path.join(work, "cache")
    temp_dir, temp_file = _temp_file(cache)
    open(temp_file, "wb").close()
    shutil.rmtree(temp_dir)                        # fix 0: remove the partial download ...
    temp_dir, temp_file = _temp_file(cache)
    shutil.copyfile(source, temp_file)             # ... and download the whole file again
    if file_integrity_validation(temp_file, expected) is False:
        raise RuntimeError("the re-downloaded file still fails the integrity check")
    return "integrity check passed for %s (%d bytes)" % (os.path.basename(temp_file), os.path.getsize(temp_file))
