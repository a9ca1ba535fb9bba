"""A DataLoader whose collate_fn is a lambda, with workers started by spawn (what Windows and macOS do):
the worker cannot be pickled. Fixed: num_workers=0 (fix 0), or a collate function importable by name (fix 1)."""

REQUIRES = ("torch",)
FIXES = (0, 1)


def _first_batch(num_workers: int, collate_fn):
    from torch.utils.data import DataLoader

    context = "spawn" if num_workers else None
    loader = DataLoader(list(range(4)), batch_size=2, num_workers=num_workers, multiprocessing_context=context,
                        collate_fn=collate_fn)
    return next(iter(loader))


def reproduce():
    import torch

    _first_batch(1, lambda batch: torch.tensor(batch))


def fixed():
    import torch

    assert _first_batch(0, lambda batch: torch.tensor(batch)).tolist() == [0, 1]  # fix 0
    # fix 1: a function importable by name pickles (the harness loads this file under a name a spawned worker
    # cannot import, so the module-level function used here is torch's own)
    assert _first_batch(1, torch.tensor).tolist() == [0, 1]
