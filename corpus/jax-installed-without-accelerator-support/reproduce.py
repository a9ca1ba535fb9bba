"""Ask the CPU-only jax/jaxlib that `pip install jax` installs for its GPU, then use the platform the install has."""

import os


def _cuda_jax():
    import importlib.util

    # a CUDA / TPU plugin that fails to start prints its own error (another cause): only the plain CPU install counts
    if any(importlib.util.find_spec(m) for m in ("jax_cuda12_plugin", "jax_cuda13_plugin", "libtpu")):
        return True
    try:
        import jax
    except ImportError:
        return False
    try:
        return bool(jax.devices("gpu"))
    except RuntimeError:
        return False


# The error only exists where jax has no accelerator plugin: with jax[cuda12] / jax[tpu] the test is skipped.
REQUIRES = ("jax",) + (("kbfix_requires_a_cpu_only_jaxlib",) if _cuda_jax() else ())
FIXES = (1,)


def _step(x):
    import jax.numpy as jnp

    return jnp.tanh(x @ x.T).sum()


def reproduce():
    import jax
    import jax.numpy as jnp

    # a training script that puts its batch on the first GPU, as the graphcast / ColabDock examples do
    gpu = jax.devices("gpu")[0]
    x = jax.device_put(jnp.ones((4, 4)), gpu)
    jax.jit(_step)(x).block_until_ready()


def fixed():
    import jax
    import jax.numpy as jnp

    # fix 1: JAX_PLATFORMS=cpu; jax runs on the CPU without probing for accelerators (the GPU work, if any, is PyTorch's)
    os.environ["JAX_PLATFORMS"] = "cpu"
    jax.config.update("jax_platforms", "cpu")
    print("jax", jax.__version__, "backend:", jax.default_backend(), "devices:", jax.devices())
    x = jax.device_put(jnp.ones((4, 4)), jax.devices()[0])
    assert float(jax.jit(_step)(x)) > 0
