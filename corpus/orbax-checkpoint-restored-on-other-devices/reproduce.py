"""An Orbax checkpoint saved on 8 devices (a process with XLA's host device count set to 8, the same code path as
8 GPUs or TPU chips), restored in a process that sees one device without saying where the arrays should go: Orbax
rebuilds each array's saved sharding, whose devices do not exist here, and raises its real error ("Topology mismatch
detected. The checkpoint was saved with a different topology than the current one", older releases "The available
devices are different from the devices used to save the checkpoint" / "Device ... was not found in
jax.local_devices()"). fixed() applies fix 0: the restore gets a target tree of jax.ShapeDtypeStruct with a sharding
on this machine's device, and fix 1: the arrays restored as numpy (restore_type=np.ndarray). CPU only.
"""

REQUIRES = ("jax", "orbax")
FIXES = (0, 1)

_SAVE = '''
import os, sys
import jax, jax.numpy as jnp
import orbax.checkpoint as ocp
from jax.sharding import NamedSharding, PartitionSpec as P
assert jax.device_count() == 8, jax.devices()
mesh = jax.make_mesh((8,), ("fsdp",))
params = {"dense": {"kernel": jax.device_put(jnp.arange(128.0).reshape(16, 8), NamedSharding(mesh, P("fsdp", None)))}}
ckptr = ocp.StandardCheckpointer()
ckptr.save(os.path.join(sys.argv[1], "params"), params)
ckptr.wait_until_finished()
print("saved on", jax.device_count(), "devices")
'''

_BROKEN = '''
import os, sys
import jax
import orbax.checkpoint as ocp
print("restoring on", jax.devices())
ocp.StandardCheckpointer().restore(os.path.join(sys.argv[1], "params"))
'''

_FIXED = '''
import os, sys
import numpy as np
import jax
import orbax.checkpoint as ocp
path = os.path.join(sys.argv[1], "params")
# fix 0: a target tree that says which devices the arrays go to on this machine
device = jax.sharding.SingleDeviceSharding(jax.devices()[0])
meta = ocp.StandardCheckpointer().metadata(path)
tree = getattr(meta, "item_metadata", meta)
tree = getattr(tree, "tree", tree)
target = jax.tree.map(lambda m: jax.ShapeDtypeStruct(m.shape, m.dtype, sharding=device), tree)
restored = ocp.StandardCheckpointer().restore(path, target)
print("fix 0", jax.tree.map(lambda x: (x.shape, str(x.sharding)), restored))
# fix 1: restore the arrays as numpy, no sharding at all
handler = ocp.PyTreeCheckpointer()
as_numpy = handler.restore(path, restore_args=jax.tree.map(lambda m: ocp.RestoreArgs(restore_type=np.ndarray), tree))
print("fix 1", jax.tree.map(lambda x: (type(x).__name__, x.shape), as_numpy))
'''


def _saved(folder):
    from kbfix.reproduce import run_script

    code, output = run_script(_SAVE, args=(folder,), env={"XLA_FLAGS": "--xla_force_host_platform_device_count=8",
                                                           "JAX_PLATFORMS": "cpu"})
    if code != 0:
        raise AssertionError(output[-3000:])


def reproduce():
    import tempfile

    from kbfix.reproduce import run_script

    with tempfile.TemporaryDirectory() as folder:
        _saved(folder)
        code, output = run_script(_BROKEN, args=(folder,), env={"JAX_PLATFORMS": "cpu"}, unset=("XLA_FLAGS",))
    if code == 0:
        raise AssertionError(f"Orbax restored an 8-device checkpoint on one device without a target:\n{output[-2000:]}")
    return output


def fixed():
    import tempfile

    from kbfix.reproduce import run_script

    with tempfile.TemporaryDirectory() as folder:
        _saved(folder)
        code, output = run_script(_FIXED, args=(folder,), env={"JAX_PLATFORMS": "cpu"}, unset=("XLA_FLAGS",))
    if code != 0:
        raise AssertionError(output[-3000:])
    return output
