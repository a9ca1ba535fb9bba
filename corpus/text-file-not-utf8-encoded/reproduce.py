"""Read a caption file saved in the Windows code page the way sd-scripts' read_caption does (UTF-8).

A caption edited in a Windows editor is saved in cp1252: the curly apostrophe becomes byte 0x92, which is not
valid UTF-8. The fix re-saves the caption as UTF-8 (fix 0), after which the same reader succeeds.
"""

REQUIRES = ()
FIXES = (0,)

CAPTION = "a photo of sks woman\u2019s face, caf\u00e9 background"


def _read_caption(path):
    # library/train_util.py read_caption: open(cap_path, "rt", encoding="utf-8"); f.readlines()
    with open(path, "rt", encoding="utf-8") as f:
        return f.readlines()[0].strip()


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "img001.txt")
        with open(path, "w", encoding="cp1252") as f:
            f.write(CAPTION)
        _read_caption(path)


def fixed():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "img001.txt")
        with open(path, "w", encoding="cp1252") as f:
            f.write(CAPTION)
        # fix 0: re-save as UTF-8, decoding with the code page it was written in
        with open(path, "rb") as f:
            text = f.read().decode("cp1252")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        assert _read_caption(path) == CAPTION
