"""Build a torch DataLoader with num_workers=0 and prefetch_factor=2 (what code written for torch 1.x passes): torch 2.x
raises "ValueError: prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 ...".
fixed() builds it without prefetch_factor (fix 0) and with two worker processes (fix 1), and reads a batch from each.
"""

REQUIRES = ("torch",)
FIXES = (0, 1)


def _data():
    return [float(i) for i in range(8)]


def reproduce():
    from torch.utils.data import DataLoader

    DataLoader(_data(), batch_size=4, num_workers=0, prefetch_factor=2)


def fixed():
    from torch.utils.data import DataLoader

    workers = 0
    loader = DataLoader(_data(), batch_size=4, num_workers=workers, prefetch_factor=2 if workers > 0 else None)
    assert len(next(iter(loader))) == 4
    loader = DataLoader(_data(), batch_size=4, num_workers=2, prefetch_factor=2)
    assert len(next(iter(loader))) == 4
