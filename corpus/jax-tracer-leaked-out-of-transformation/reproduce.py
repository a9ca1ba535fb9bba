"""A trainer whose jitted step stores the traced gradient on `self` (the side effect JAX forbids): using the
stored gradient after the step raises the real jax.errors.UnexpectedTracerError ("A function transformed by JAX
had a side effect ..."). fixed() returns the gradient from the jitted step and stores it outside (fix 0). CPU only.
"""

REQUIRES = ("jax",)
FIXES = (0,)


def _gradient_norm(leak: bool) -> float:
    """One training step of a tiny linear model; with ``leak`` the step keeps its gradient on ``self``
    inside the trace (the user's code), else it returns it and the caller keeps it (the fix)."""
    import jax
    import jax.numpy as jnp

    class Trainer:
        last_grads = None

        def step(self, w, x):
            @jax.jit
            def train_step(w):
                grads = jax.grad(lambda w: jnp.sum((x @ w) ** 2))(w)
                if leak:
                    self.last_grads = grads      # side effect: a tracer outlives the trace
                return w - 0.1 * grads, grads    # the fix: everything leaves through the return value

            w, grads = train_step(w)
            if not leak:
                self.last_grads = grads
            return w

    trainer = Trainer()
    trainer.step(jnp.ones((3, 2)), jnp.ones((4, 3)))
    return float(jnp.linalg.norm(trainer.last_grads))   # with leak: raises UnexpectedTracerError


def reproduce():
    return _gradient_norm(leak=True)


def fixed():
    norm = _gradient_norm(leak=False)
    assert norm > 0
    return f"gradient norm after the step: {norm:.3f}"
