"""GPTQ's per-layer step on a Hessian built from calibration inputs that never activate one input channel.

H = 2/n * X X^T over the calibration tokens has a zero row and column for that channel, so the Cholesky
factorization in ``fasterquant`` fails (``linalg.cholesky: ... not positive-definite``). The fix adds GPTQ's
damping, ``percdamp * mean(diag(H))``, to the diagonal before factoring, as AutoGPTQ's ``damp_percent`` does.
"""

REQUIRES = ("torch",)
FIXES = (0,)


def _hessian():
    import torch

    torch.manual_seed(0)
    x = torch.randn(64, 16)  # 64 calibration tokens, 16 input channels of a linear layer
    x[:, 5] = 0.0  # a channel the calibration samples never activate
    return 2 / x.shape[0] * x.t() @ x


def fasterquant(H, percdamp):
    import torch

    damp = percdamp * torch.mean(torch.diag(H))
    idx = torch.arange(H.shape[0])
    H[idx, idx] += damp
    H = torch.linalg.cholesky(H)
    H = torch.cholesky_inverse(H)
    H = torch.linalg.cholesky(H, upper=True)
    return H


def reproduce():
    fasterquant(_hessian(), percdamp=0.0)  # no dampening


def fixed():
    import torch

    Hinv = fasterquant(_hessian(), percdamp=0.01)  # fix 0: GPTQ's default damp_percent (raise it to 0.1 if needed)
    assert torch.isfinite(Hinv).all()
