"""A GroupNorm whose scale and bias are in the layout flax < 0.3.6 saved them, (1, 1, 1, C), applied with a current
flax, which creates them as (C,): flax raises ScopeParamShapeError for "scale" (the real error of a pre-0.3.6
checkpoint, e.g. an old VQGAN or ViT/BiT checkpoint). fixed() reshapes every such scale/bias to (C,) before apply.
No download: the "old checkpoint" is a freshly initialised model's params put into the old layout.
"""

REQUIRES = ("jax", "flax")
FIXES = (0,)


def _setup():
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.Conv(32, (3, 3), name="conv")(x)
            return nn.GroupNorm(num_groups=8, name="norm")(x)

    model = Block()
    x = jnp.ones((1, 8, 8, 3))
    params = model.init(jax.random.PRNGKey(0), x)["params"]
    # what flax < 0.3.6 stored: GroupNorm scale/bias with the input's rank, (1, 1, 1, C)
    old = jax.tree_util.tree_map(lambda p: p, dict(params))
    old["norm"] = {name: value.reshape((1, 1, 1) + value.shape) for name, value in params["norm"].items()}
    return model, x, old


def _to_current_layout(params):
    import flax

    flat = flax.traverse_util.flatten_dict(flax.core.unfreeze(params))
    for path, value in flat.items():
        if path[-1] in ("scale", "bias") and value.ndim > 1 and all(d == 1 for d in value.shape[:-1]):
            flat[path] = value.reshape(value.shape[-1])
    return flax.traverse_util.unflatten_dict(flat)


def reproduce():
    model, x, old = _setup()
    model.apply({"params": old}, x)


def fixed():
    model, x, old = _setup()
    out = model.apply({"params": _to_current_layout(old)}, x)
    return f"output shape {tuple(out.shape)}"
