"""Put a batch too big for the device's memory on it (XLA CPU: host RAM), then train on micro-batches.

The batch asks for 2**57 bytes (128 PiB), more than any x86-64 or arm64 address space holds, so the
allocation is refused at once on every machine, whatever its memory overcommit setting, and nothing
is ever written.
"""

REQUIRES = ("jax", "optax")
FIXES = (0,)

VOCAB, WIDTH, SEQ = 32, 8, 2**15


def _train_step(tx):
    import jax
    import jax.numpy as jnp
    import optax

    def loss(params, tokens):
        hidden = params["embed"][tokens[:, :-1]]
        logits = hidden @ params["out"]
        return optax.softmax_cross_entropy_with_integer_labels(logits, tokens[:, 1:]).mean()

    @jax.jit
    def step(params, state, tokens):
        value, grads = jax.value_and_grad(loss)(params, tokens)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    return step


def _params():
    import jax

    k1, k2 = jax.random.split(jax.random.key(0))
    return {"embed": jax.random.normal(k1, (VOCAB, WIDTH)) * 0.1,
            "out": jax.random.normal(k2, (WIDTH, VOCAB)) * 0.1}


def _batch(batch_size, seq, index=0):
    import jax.numpy as jnp

    # the batch placed on the device: batch_size x seq int32 token ids
    return (jnp.arange(batch_size * seq, dtype=jnp.int32).reshape(batch_size, seq) + index) % VOCAB


def reproduce():
    import jax.numpy as jnp
    import optax

    tx = optax.adamw(1e-2)
    params = _params()
    step = _train_step(tx)
    # per-device batch of 2**40 sequences of 2**15 tokens: 2**57 bytes before the step even starts
    tokens = jnp.zeros((2**40, SEQ), jnp.int32)
    tokens.block_until_ready()
    step(params, tx.init(params), tokens)


def fixed():
    import jax.numpy as jnp
    import optax

    # fix 0: a per-device batch that fits, and gradient accumulation for the effective batch
    tx = optax.MultiSteps(optax.adamw(1e-2), every_k_schedule=4)
    params = _params()
    state = tx.init(params)
    step = _train_step(tx)
    for index in range(8):
        params, state, value = step(params, state, _batch(4, 16, index))
    assert bool(jnp.isfinite(value)), value
