"""Orbax refuses a relative checkpoint directory: "ValueError: Checkpoint path should be absolute. Got ...".

A CheckpointManager is created on the relative folder ``ckpts`` (the working directory is a fresh temporary folder, so
nothing is written elsewhere) and saves one step of a tiny PyTree; orbax's TensorStore serializer checks the path and
raises. fixed() applies fix 0: the same save on ``os.path.abspath("ckpts")``, then reads the step back.
"""

import contextlib
import os
import tempfile

REQUIRES = ("numpy", "orbax")
FIXES = (0,)


@contextlib.contextmanager
def _in_temporary_folder():
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(old)


def _save(directory):
    import numpy as np
    import orbax.checkpoint as ocp

    manager = ocp.CheckpointManager(directory, options=ocp.CheckpointManagerOptions(create=True))
    manager.save(1, args=ocp.args.StandardSave({"w": np.arange(4, dtype=np.float32)}))
    manager.wait_until_finished()
    return manager


def reproduce():
    with _in_temporary_folder():
        _save("ckpts")


def fixed():
    with _in_temporary_folder():
        manager = _save(os.path.abspath("ckpts"))
        assert manager.latest_step() == 1, manager.all_steps()
        manager.close()
