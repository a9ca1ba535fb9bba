"""A data-parallel training step under ``jax.pmap`` on 2 CPU devices (a fresh process with XLA's host device
count set to 2: the same per-device mapping as 2 GPUs or 8 TPU cores). Called the way the reports did, jax raises
its real errors: the parameters passed as they came from ``init`` (no leading device axis) give "pmap got
inconsistent sizes for array axes to be mapped"; a scalar step counter in the state gives "pmap was requested to
map its argument along axis 0, which implies that its rank should be at least 1, but is only 0"; a batch of 8 not
reshaped to [devices, per_device, ...] gives "compiling computation that requires 8 logical devices, but only 2 XLA
devices are available"; and RNG keys split for 8 devices on a 2-device machine give the inconsistent-sizes error
again. fixed() replicates the parameters and the state over the local devices (fix 0, what
``flax.jax_utils.replicate`` does), reshapes the batch to [jax.local_device_count(), -1, ...] after dropping the
incomplete remainder (fix 1), and splits the keys by ``jax.local_device_count()`` (fix 2): the step runs and the
gradients are averaged with ``lax.pmean``.

jax 0.8 and later run ``pmap`` on ``shard_map`` and word these errors differently (an ``IndivisibleError`` over
the ``_internal_pmap_axis_name`` mesh axis, a bare IndexError), so the reproducer runs in an overlay of jax 0.4.30,
the pmap of the releases the reports used (0.2 - 0.7); elsewhere the test skips it.
"""

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("jax==0.4.30", "jaxlib==0.4.30", "ml_dtypes==0.4.1", "numpy==1.26.4", "scipy==1.13.1")
REQUIRES = ("jax",) + (() if release_within("jax", (0, 2), (0, 8)) else ("kbfix_requires_jax_0_2_to_0_7_pmap",))
FIXES = (0, 1, 2)

_ENV = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2", "JAX_PLATFORMS": "cpu"}

_STEP = '''
import sys
import traceback
import numpy as np
import jax
import jax.numpy as jnp
from functools import partial

assert jax.local_device_count() == 2, jax.devices()
rng = np.random.default_rng(0)
params = {"w": jnp.asarray(rng.normal(size=(16, 8)), jnp.float32), "b": jnp.zeros((8,), jnp.float32)}
state = {"params": params, "step": jnp.int32(0)}


@partial(jax.pmap, axis_name="batch")
def train_step(state, batch, key):
    def loss_fn(p):
        noise = jax.random.normal(key, batch.shape) * 0.01
        return jnp.mean(jnp.tanh((batch + noise) @ p["w"] + p["b"]) ** 2)
    loss, grads = jax.value_and_grad(loss_fn)(state["params"])
    grads = jax.lax.pmean(grads, "batch")
    new = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, state["params"], grads)
    return {"params": new, "step": state["step"] + 1}, jax.lax.pmean(loss, "batch")


@partial(jax.pmap, axis_name="batch", in_axes=(None, 0))
def eval_step(params, batch):
    return jax.lax.pmean(jnp.mean(jnp.tanh(batch @ params["w"] + params["b"]) ** 2), "batch")
'''

_BROKEN = _STEP + '''
data = np.ones((8, 16), np.float32)           # a global batch of 8

def attempt(what, step, *args):
    print("==", what)
    try:
        step(*args)
        print("ran")
    except Exception:
        traceback.print_exc(file=sys.stdout)

keys = jax.random.split(jax.random.PRNGKey(0), 2)
# the parameters as init() returned them, the batch already sharded
attempt("params not replicated", train_step, {"params": params, "step": jnp.zeros((2,), jnp.int32)}, data.reshape(2, 4, 16), keys)
# parameters replicated by hand, but the step counter left a scalar
rep = jax.tree_util.tree_map(lambda x: jnp.stack([x, x]), params)
attempt("scalar step", train_step, {"params": rep, "step": jnp.int32(0)}, data.reshape(2, 4, 16), keys)
# evaluation with the parameters broadcast (in_axes=None), the batch of 8 not reshaped to [devices, per_device, ...]
attempt("batch not sharded", eval_step, params, data)
rep_state = {"params": rep, "step": jnp.zeros((2,), jnp.int32)}
# keys split for 8 devices (a TPU notebook) on a 2-device machine
attempt("keys split for 8 devices", train_step, rep_state, data.reshape(2, 4, 16), jax.random.split(jax.random.PRNGKey(0), 8))
'''

_FIXED = _STEP + '''
n = jax.local_device_count()
# fix 0: replicate the whole train state (params, optimizer state, step) over the local devices
#        (flax.jax_utils.replicate does exactly this: jax.device_put_replicated(tree, jax.local_devices()))
p_state = jax.device_put_replicated(state, jax.local_devices())
assert p_state["step"].shape == (n,), p_state["step"].shape
# fix 1: reshape each batch to [devices, per_device, ...]; the global batch a multiple of n, remainder dropped
data = np.ones((13, 16), np.float32)
per_device = 2
global_batch = per_device * n
key = jax.random.PRNGKey(0)
for start in range(0, len(data) - global_batch + 1, global_batch):
    batch = data[start:start + global_batch].reshape((n, -1) + data.shape[1:])   # flax.training.common_utils.shard
    key, sub = jax.random.split(key)
    # fix 2: one key per local device, not a hard-coded 8
    keys = jax.random.split(sub, jax.local_device_count())
    p_state, loss = train_step(p_state, batch, keys)
    print("step", int(p_state["step"][0]), "loss", float(loss[0]), "eval", float(eval_step(params, batch)[0]))
# unreplicate to save: flax.jax_utils.unreplicate
params_host = jax.tree_util.tree_map(lambda x: x[0], p_state["params"])
print("saved shapes", {k: v.shape for k, v in params_host.items()})
'''


def reproduce():
    from kbfix.reproduce import run_script

    code, output = run_script(_BROKEN, env=_ENV)
    shown = ("inconsistent sizes for array axes to be mapped", "rank should be at least 1",
             "logical devices, but only 2 XLA devices")
    if not all(text in output for text in shown):
        raise AssertionError(f"jax did not raise all three pmap errors (exit {code}):\n{output[-3000:]}")
    return output


def fixed():
    from kbfix.reproduce import run_script

    code, output = run_script(_FIXED, env=_ENV)
    if code != 0 or "saved shapes" not in output:
        raise AssertionError(output[-3000:])
    return output
