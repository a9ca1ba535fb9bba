"""Code written for transformers < 4.50 imports AdamW from transformers; the installed release has none."""

REQUIRES = ("transformers", "torch")
FIXES = (2,)


def reproduce():
    from transformers import AdamW  # noqa: F401  (gone since transformers 4.50)


def fixed():
    import torch
    from torch.optim import AdamW

    AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
