"""Read a UTF-8 JSON training file with the codec Windows uses by default on a Chinese system.

``open(path)`` without ``encoding=`` uses ``locale.getpreferredencoding()``, which is ``gbk`` (cp936)
on Chinese Windows. This machine's default is UTF-8, so the reproducer passes the Windows default
explicitly; the decoder that fails is the real one.
"""

REQUIRES = ()
FIXES = (0,)

ROWS = [{"instruction": "请把这句话翻译成英文：今天天气很好。", "output": "The weather is nice today."}]


def _write(folder):
    import json
    import os

    path = os.path.join(folder, "train.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(ROWS, f, ensure_ascii=False)
    return path


def reproduce():
    import json
    import tempfile

    windows_default = "gbk"  # locale.getpreferredencoding(False) on a Chinese Windows
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder)
        with open(path, encoding=windows_default) as f:
            json.load(f)


def fixed():
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder)
        with open(path, encoding="utf-8") as f:
            assert json.load(f) == ROWS
