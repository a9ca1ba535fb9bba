"""Run ``import transformers`` with an interpreter that does not see this environment's packages.

``python -S`` starts the same Python without ``site``, so its site-packages are not on ``sys.path``:
the situation of a launcher or kernel that runs another interpreter than the one pip installed into.
The real interpreter prints ``ModuleNotFoundError: No module named 'transformers'``; run the way the
package was installed into, the import works.
"""

REQUIRES = ("transformers",)
FIXES = (0,)


def _run(*flags):
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as cwd:
        return subprocess.run([sys.executable, *flags, "-c", "import transformers, sys; print(sys.executable)"],
                              capture_output=True, text=True, cwd=cwd, timeout=60)


def reproduce():
    done = _run("-S")          # an interpreter without this environment's site-packages
    assert done.returncode != 0, done.stdout
    return done.stderr


def fixed():
    import sys

    done = _run()              # fix 0: run with the interpreter the package is installed in
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == sys.executable
