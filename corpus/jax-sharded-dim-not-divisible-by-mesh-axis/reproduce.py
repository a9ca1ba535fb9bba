"""A data-parallel step on 4 CPU devices (a fresh process with XLA's host device count set to 4, the same
multi-device code path as 4 TPU chips or GPUs): a batch of 6 examples put on a NamedSharding that splits axis 0
over the 4-device 'batch' axis makes jax raise its real IndivisibleError ("implies that array axis 0 is
partitioned 4 times, but the dimension size is 6"), and shard_map over the same mesh raises "was given argument
arrays with axis sizes that are not evenly divisible by the corresponding mesh axis sizes". fixed() drops the
incomplete batch and uses a global batch of 8 (fix 0), and for a batch smaller than the device count
replicates the batch axis and shards the model dimension instead (fix 1); both run a jitted step. CPU only.
"""

REQUIRES = ("jax",)
FIXES = (0, 1)

_ENV = {"XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}

_BROKEN = '''
import traceback
import numpy as np
import jax
from jax.sharding import NamedSharding, PartitionSpec as P
mesh = jax.make_mesh((4,), ("batch",))
batch = np.ones((6, 16), np.float32)          # 6 examples, 4 data-parallel devices
try:
    jax.device_put(batch, NamedSharding(mesh, P("batch", None)))
except Exception:
    traceback.print_exc()
try:
    jax.shard_map(lambda x: x * 2, mesh=mesh, in_specs=P("batch", None), out_specs=P("batch", None))(batch)
except Exception:
    traceback.print_exc()
'''

_FIXED = '''
import numpy as np
import jax
import jax.numpy as jnp
from jax.sharding import NamedSharding, PartitionSpec as P
n = jax.device_count()
assert n == 4, n
w = jnp.ones((16, 8), jnp.float32)
step = jax.jit(lambda x, w: jnp.tanh(x @ w).mean())

# fix 0: the global batch is a multiple of the data-parallel devices; the incomplete last batch is dropped
mesh = jax.make_mesh((n,), ("batch",))
data = np.ones((22, 16), np.float32)
global_batch = 2 * n
for start in range(0, len(data) - global_batch + 1, global_batch):      # drop_remainder
    x = jax.device_put(data[start:start + global_batch], NamedSharding(mesh, P("batch", None)))
    print("fix 0 step", float(step(x, w)), x.sharding.spec)

# fix 1: a batch smaller than the devices: replicate the batch axis, shard the model dimension
mesh2 = jax.make_mesh((1, n), ("batch", "model"))
x = jax.device_put(np.ones((1, 16), np.float32), NamedSharding(mesh2, P("batch", None)))
w2 = jax.device_put(w, NamedSharding(mesh2, P(None, "model")))
print("fix 1 step", float(step(x, w2)))
'''


def reproduce():
    from kbfix.reproduce import run_script

    code, output = run_script(_BROKEN, env=_ENV)
    if "IndivisibleError" not in output and "not evenly divisible" not in output and "should be divisible" not in output:
        raise AssertionError(f"jax accepted a batch of 6 sharded over 4 devices (exit {code}):\n{output[-2000:]}")
    return output


def fixed():
    from kbfix.reproduce import run_script

    code, output = run_script(_FIXED, env=_ENV)
    if code != 0:
        raise AssertionError(output[-3000:])
    return output
