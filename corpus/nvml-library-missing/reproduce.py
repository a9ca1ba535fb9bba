"""A training script logs GPU utilisation and memory with NVML (``pynvml.nvmlInit()`` at start-up, as gpustat, GPU-stats
callbacks and affinity helpers do) on a machine with no NVIDIA driver: pynvml cannot load ``libnvidia-ml.so.1`` and
raises ``pynvml.NVMLError_LibraryNotFound: NVML Shared Library Not Found``. fixed() applies the last part of fix 1
(no NVIDIA GPU here, so NVML cannot exist: the NVML code path is skipped): GPU monitoring is turned on only where
torch sees a CUDA device, and the training step runs on the CPU.

Runs here with the real pynvml (NVIDIA's ``nvidia-ml-py``), which really looks for ``libnvidia-ml.so.1``: this
machine has no NVIDIA driver. The other fixes (the driver installed, a container started with ``--gpus``) need a GPU
machine and stay checks. pynvml is not installed in the test environment: this runs with an overlay of
nvidia-ml-py 13.615.71; elsewhere the test skips it, and so it does where a GPU is visible (NVML would load).
"""

from kbfix.reproduce import cuda_visible

# the release this reproducer is verified with where the environment lacks it (scripts/verify.py --overlays)
OVERLAY = ("nvidia-ml-py==13.615.71",)
# a machine with a GPU has the driver's libnvidia-ml.so.1: nothing to reproduce there
REQUIRES = ("torch", "pynvml") + (("kbfix_requires_no_visible_gpu",) if cuda_visible() else ())
FIXES = (1,)


class GpuMonitor:
    """What the training script logs each step: utilisation and memory of every GPU, through NVML."""

    def __init__(self):
        import pynvml

        pynvml.nvmlInit()
        self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]

    def stats(self):
        import pynvml

        return [(pynvml.nvmlDeviceGetUtilizationRates(h).gpu, pynvml.nvmlDeviceGetMemoryInfo(h).used)
                for h in self.handles]


def _train(monitor, device):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(8, 2).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.randn(4, 8, device=device)).pow(2).mean()
    loss.backward()
    optimizer.step()
    return f"step 1 on {device}: loss {loss.item():.4f}, gpu stats {monitor.stats() if monitor else 'off'}\n"


def reproduce():
    return _train(GpuMonitor(), "cpu")


def fixed():
    import torch

    # fix 1, no NVIDIA GPU: NVML cannot exist here, so the GPU monitoring (the NVML code path) is skipped
    monitor = GpuMonitor() if torch.cuda.is_available() else None
    return _train(monitor, "cuda" if torch.cuda.is_available() else "cpu")
