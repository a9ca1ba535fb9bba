"""A linen model with BatchNorm applied in training mode without ``mutable=['batch_stats']``.

``BatchNorm(use_running_average=not train)`` writes its running mean and variance into the ``batch_stats`` collection when
``train=True``; ``Module.apply`` without ``mutable`` keeps every collection read-only, so Flax raises
``ModifyScopeVariableError: Cannot update variable "mean" in "/BatchNorm_0" because collection "batch_stats" is
immutable.`` fixed() applies fix 0: the same step with ``mutable=["batch_stats"]``, keeping the updated statistics.
"""

REQUIRES = ("jax", "flax")
FIXES = (0,)


def _model_and_variables():
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    class TinyClassifier(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool):
            x = nn.Dense(4)(x)
            x = nn.BatchNorm(use_running_average=not train)(x)
            return nn.Dense(2)(nn.relu(x))

    model = TinyClassifier()
    x = jnp.arange(24, dtype=jnp.float32).reshape(8, 3)
    variables = model.init(jax.random.PRNGKey(0), x, train=False)
    return model, variables, x


def reproduce():
    model, variables, x = _model_and_variables()
    model.apply(variables, x, train=True)


def fixed():
    import jax.numpy as jnp

    model, variables, x = _model_and_variables()
    logits, updates = model.apply(variables, x, train=True, mutable=["batch_stats"])
    assert logits.shape == (8, 2)
    before = variables["batch_stats"]["BatchNorm_0"]["mean"]
    after = updates["batch_stats"]["BatchNorm_0"]["mean"]
    assert not bool(jnp.allclose(before, after)), "batch statistics were not updated"
