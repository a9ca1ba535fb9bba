"""A jitted function with Python control flow on traced values: `if x > 0:` raises the real
jax.errors.TracerBoolConversionError, and `for i in range(n)` with a traced `n` raises the real
TracerIntegerConversionError (both raised by jax itself while tracing). fixed() runs the same computations with
jnp.where / lax.cond (fix 0), with `n` and a `training` flag declared static (fix 1), with lax.fori_loop for a
run-time trip count (fix 0), and a jitted train step that returns its loss and converts it with float() only
after the call (fix 2), checking the values. CPU only.
"""

REQUIRES = ("jax",)
FIXES = (0, 1, 2)


def reproduce():
    import traceback

    import jax
    import jax.numpy as jnp

    @jax.jit
    def relu_or_neg(x):
        if x > 0:                  # Python `if` on a traced scalar
            return x
        return -x

    @jax.jit
    def triangular(n):
        total = 0
        for i in range(n):         # Python range over a traced int
            total += i
        return total

    out = []
    for call in (lambda: relu_or_neg(jnp.float32(2.0)), lambda: triangular(4)):
        try:
            call()
        except Exception:          # jax.errors.TracerBoolConversionError / TracerIntegerConversionError
            out.append(traceback.format_exc())
        else:
            raise AssertionError("jax traced a Python branch on a traced value without error")
    return "\n".join(out)


def fixed():
    from functools import partial

    import jax
    import jax.numpy as jnp
    from jax import lax

    # fix 0: the decision stays inside JAX
    where = jax.jit(lambda x: jnp.where(x > 0, x, -x))
    cond = jax.jit(lambda x: lax.cond(x > 0, lambda v: v, lambda v: -v, x))
    assert float(where(jnp.float32(2.0))) == 2.0 and float(where(jnp.float32(-3.0))) == 3.0
    assert float(cond(jnp.float32(2.0))) == 2.0 and float(cond(jnp.float32(-3.0))) == 3.0
    fori = jax.jit(lambda n: lax.fori_loop(0, n, lambda i, t: t + i, 0))      # trip count known at run time
    assert int(fori(4)) == 6 and int(fori(10)) == 45

    # fix 1: arguments that decide Python control flow are static (one compilation per value)
    @partial(jax.jit, static_argnums=(0,))
    def triangular(n):
        return sum(range(n))
    assert int(triangular(4)) == 6

    @partial(jax.jit, static_argnames=("training",))
    def scale(x, *, training):
        if training:               # a Python bool now
            return x * 0.5
        return x
    assert float(scale(jnp.float32(4.0), training=True)) == 2.0
    assert float(scale(jnp.float32(4.0), training=False)) == 4.0

    # fix 2: the jitted step returns the loss; float() runs on the concrete result after the call
    @jax.jit
    def train_step(w, x, y):
        loss, grad = jax.value_and_grad(lambda w: jnp.mean((x * w - y) ** 2))(w)
        jax.debug.print("loss {}", loss)
        return w - 0.1 * grad, loss
    w, loss = train_step(jnp.float32(0.0), jnp.ones(4), 2 * jnp.ones(4))
    assert float(loss) == 4.0 and abs(float(w) - 0.4) < 1e-6
    return ""
