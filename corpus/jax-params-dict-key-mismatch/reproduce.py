"""Params restored from a checkpoint with other module names than the model's own param tree, fed to optax."""

REQUIRES = ("jax", "flax", "optax")
FIXES = (0,)


def _model_and_params():
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    class VisionEncoder(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.Dense(8, name="siglip_encoder")(x)

    class TinyVLM(nn.Module):  # the model as the current code defines it
        @nn.compact
        def __call__(self, x):
            x = VisionEncoder(name="vision_encoder")(x)
            return nn.Dense(4, name="head")(x)

    model = TinyVLM()
    x = jnp.ones((1, 8))
    params = model.init(jax.random.PRNGKey(0), x)["params"]
    return model, x, params


def _checkpoint_params(params):
    """What an older export holds: the vision tower stored under its auto-generated name, flat."""
    import jax.numpy as jnp

    return {
        "head": {k: jnp.asarray(v) for k, v in params["head"].items()},
        "SigLiPFromPatches_0": {k: jnp.asarray(v) for k, v in params["vision_encoder"]["siglip_encoder"].items()},
    }


def _train_step(model, x, params, tx, opt_state):
    import jax
    import optax

    grads = jax.grad(lambda p: model.apply({"params": p}, x).sum())(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state


def reproduce():
    import optax

    model, x, params = _model_and_params()
    tx = optax.adamw(1e-3)
    opt_state = tx.init(params)            # optimizer built from the model's own tree
    restored = _checkpoint_params(params)  # params loaded from the checkpoint
    tx.update(restored, opt_state, restored)


def fixed():
    import jax
    import optax

    model, x, params = _model_and_params()
    restored = _checkpoint_params(params)
    # map the checkpoint names onto the model's tree, then check the structures agree before training
    remapped = {"head": restored["head"], "vision_encoder": {"siglip_encoder": restored["SigLiPFromPatches_0"]}}
    assert jax.tree.structure(remapped) == jax.tree.structure(params)
    tx = optax.adamw(1e-3)
    _train_step(model, x, remapped, tx, tx.init(remapped))
