"""Apply a tiny Flax transformer-ish model built from one config to params saved from another size."""

REQUIRES = ("jax", "flax")
FIXES = (0,)


def _model(embed_dim):
    import flax.linen as nn

    class Embedder(nn.Module):
        vocab_size: int
        embed_dim: int

        def setup(self):
            self.input_embedding = self.param(
                "input_embedding", nn.initializers.normal(), (self.vocab_size, self.embed_dim))

        def __call__(self, tokens):
            return self.input_embedding[tokens]

    class TinyLM(nn.Module):
        embed_dim: int
        vocab_size: int = 64

        @nn.compact
        def __call__(self, tokens):
            x = Embedder(self.vocab_size, self.embed_dim, name="embedder")(tokens)
            x = nn.Dense(self.embed_dim, name="mlp")(x)
            return x @ self.variables["params"]["embedder"]["input_embedding"].T

    return TinyLM(embed_dim=embed_dim)


def _checkpoint():
    """Params as saved by the bigger variant (embed_dim 32)."""
    import jax
    import jax.numpy as jnp

    tokens = jnp.zeros((1, 4), dtype=jnp.int32)
    return _model(32).init(jax.random.PRNGKey(0), tokens)["params"], tokens


def reproduce():
    params, tokens = _checkpoint()
    _model(16).apply({"params": params}, tokens)  # the smaller variant's config


def fixed():
    params, tokens = _checkpoint()
    embed_dim = params["embedder"]["input_embedding"].shape[1]  # read the size from the checkpoint
    logits = _model(embed_dim).apply({"params": params}, tokens)
    assert logits.shape == (1, 4, 64)
