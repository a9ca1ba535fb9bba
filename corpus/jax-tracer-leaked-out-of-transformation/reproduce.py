"""A trainer whose jitted step stores the traced gradient on `self` (the side effect JAX forbids): using the
stored gradient after the step raises the real jax.errors.UnexpectedTracerError ("A function transformed by JAX
had a side effect ..."). fixed() returns the gradient from the jitted step and stores it outside (fix 0). CPU only.
"""

REQUIRES = ("jax",)
FIXES = (0,)


def _data():
    import jax.numpy as jnp

    return jnp.ones((3, 2)), jnp.ones((4, 3))


def reproduce():
    import jax
    import jax.numpy as jnp

    class Trainer:
        last_grads = None

        def step(self, w, x):
            @jax.jit
            def train_step(w):
                grads = jax.grad(lambda w: jnp.sum((x @ w) ** 2))(w)
                self.last_grads = grads          # side effect: a tracer outlives the trace
                return w - 0.1 * grads

            return train_step(w)

    trainer = Trainer()
    w, x = _data()
    trainer.step(w, x)
    return float(jnp.linalg.norm(trainer.last_grads))   # raises UnexpectedTracerError


def fixed():
    import jax
    import jax.numpy as jnp

    class Trainer:
        last_grads = None

        def step(self, w, x):
            @jax.jit
            def train_step(w):
                grads = jax.grad(lambda w: jnp.sum((x @ w) ** 2))(w)
                return w - 0.1 * grads, grads    # everything leaves through the return value

            w, self.last_grads = train_step(w)
            return w

    trainer = Trainer()
    w, x = _data()
    trainer.step(w, x)
    norm = float(jnp.linalg.norm(trainer.last_grads))
    assert norm > 0
    return f"gradient norm after the step: {norm:.3f}"
