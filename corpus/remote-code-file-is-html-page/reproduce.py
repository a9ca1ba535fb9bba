"""A local model folder whose configuration_*.py is not Python but the HTML page a browser or ``wget`` saved from the
file's web page (a ``/blob/`` URL instead of ``/resolve/`` or ``raw``, a proxy's or a login page). Loading it with
trust_remote_code=True in the installed transformers raises the real ``SyntaxError`` on a line of the page
(``invalid character '·' (U+00B7)`` in the page title, or ``invalid syntax`` on ``<!DOCTYPE html>``): transformers
4.51+ while reading the file's imports with ``ast.parse``, older releases while importing it from
``transformers_modules``. fixed() applies fix 0: the file is written again from its raw content,
and the folder loads. CPU only, nothing downloaded.
"""

import os
import tempfile

from kbfix.reproduce import remote_code_model, remote_code_sources

REQUIRES = ("transformers",)
FIXES = (0,)

CONFIG_CODE = remote_code_sources("toychat", "ToyChatConfig")["configuration_toychat.py"]

# what `wget https://huggingface.co/<repo>/blob/main/configuration_toychat.py` saves: the page around the code
HTML_PAGE = '''<!DOCTYPE html>
<html class="">
<head>
    <meta charset="utf-8" />
    <title>configuration_toychat.py · org/toychat-7b at main</title>
</head>
<body>
<div class="blob">from transformers import PretrainedConfig</div>
</body>
</html>
'''


def _folder(root, code):
    return remote_code_model(os.path.join(root, "toychat-7b"), "toychat", "ToyChatConfig",
                             files={"configuration_toychat.py": code})


def reproduce():
    from transformers import AutoConfig

    with tempfile.TemporaryDirectory() as root:
        AutoConfig.from_pretrained(_folder(root, HTML_PAGE), trust_remote_code=True)


def fixed():
    from transformers import AutoConfig

    with tempfile.TemporaryDirectory() as root:
        folder = _folder(root, HTML_PAGE)
        path = os.path.join(folder, "configuration_toychat.py")
        with open(path, "w") as f:                                      # fix 0: the raw file again
            f.write(CONFIG_CODE)
        with open(path) as f:
            assert not f.readline().lstrip().startswith("<")         # the check of fix 0: not a page any more
        config = AutoConfig.from_pretrained(folder, trust_remote_code=True)
        assert type(config).__name__ == "ToyChatConfig" and config.hidden_size == 8
        return f"loaded {type(config).__name__}"
