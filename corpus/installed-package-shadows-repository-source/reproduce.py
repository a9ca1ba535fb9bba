"""Run a cloned cn_clip training entry point while an older cn_clip is installed in site-packages."""

REQUIRES = ()
FIXES = (0,)

OLD_MODEL = "def convert_weights(model):\n    return model\n"
NEW_MODEL = OLD_MODEL + "\n\ndef convert_state_dict(state_dict):\n    return state_dict\n"
MAIN = "from cn_clip.clip.model import convert_weights, convert_state_dict\nprint('imports ok')\n"


def _write(path, text):
    import os

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _layout(folder):
    import os

    site = os.path.join(folder, "env", "lib", "python3", "site-packages")
    repo = os.path.join(folder, "Chinese-CLIP")
    for root, model in ((site, OLD_MODEL), (repo, NEW_MODEL)):
        _write(os.path.join(root, "cn_clip", "__init__.py"), "")
        _write(os.path.join(root, "cn_clip", "clip", "__init__.py"), "")
        _write(os.path.join(root, "cn_clip", "clip", "model.py"), model)
    _write(os.path.join(repo, "cn_clip", "training", "__init__.py"), "")
    _write(os.path.join(repo, "cn_clip", "training", "main.py"), MAIN)
    return site, repo


def _run(repo, pythonpath):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(pythonpath))
    return subprocess.run([sys.executable, os.path.join("cn_clip", "training", "main.py")], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=60)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        site, repo = _layout(folder)
        done = _run(repo, [site])  # the installed copy is the one on the path
        if done.returncode == 0:
            raise AssertionError("the installed copy was not imported")
        return done.stderr


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        site, repo = _layout(folder)
        done = _run(repo, [repo, site])  # fix 0: the repository root first on PYTHONPATH
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        return done.stdout
