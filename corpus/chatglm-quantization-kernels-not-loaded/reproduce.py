"""A tiny trust_remote_code model whose quantization.py loads its CUDA kernels the way ChatGLM-6B / ChatGLM2-6B /
ChatGLM3-6B / VisualGLM-6B do: ``from cpm_kernels.kernels.base import ... round_up`` inside ``try``, and on any failure
only ``logger.warning("Failed to load cpm_kernels:" + str(exception))``. The model is loaded from its folder by the
installed transformers; without the cpm_kernels package, ``model.quantize(4)`` (what ptuning/main.py's
--quantization_bit 4 and the demos call) reaches ``compress_int4_weight`` and the real ``NameError: name 'round_up' is
not defined``. fixed() applies fix 1: the same model loaded without quantize() runs a forward pass. CPU only, nothing
downloaded.
"""

import os
import tempfile

from kbfix.reproduce import remote_code_model, remote_code_sources

REQUIRES = ("torch", "transformers")
FIXES = (1,)

QUANTIZATION = '''
import torch
from transformers.utils import logging

logger = logging.get_logger(__name__)

try:
    from cpm_kernels.kernels.base import LazyKernelCModule, KernelFunction, round_up

    kernels = object()
except Exception as exception:
    kernels = None
    logger.warning("Failed to load cpm_kernels:" + str(exception))


def compress_int4_weight(weight: torch.Tensor):  # (n, m)
    n, m = weight.size(0), weight.size(1)
    assert m % 2 == 0
    m = m // 2
    gridDim = (n, 1, 1)
    blockDim = (min(round_up(m, 32), 1024), 1, 1)
    return weight[:, :m].contiguous()


class QuantizedLinear(torch.nn.Module):
    def __init__(self, weight_bit_width: int, weight: torch.Tensor):
        super().__init__()
        self.weight_bit_width = weight_bit_width
        scale = weight.abs().max(dim=-1).values / ((2 ** (weight_bit_width - 1)) - 1)
        weight = torch.round(weight / scale[:, None]).to(torch.int8)
        if weight_bit_width == 4:
            weight = compress_int4_weight(weight)
        self.weight = torch.nn.Parameter(weight, requires_grad=False)
        self.weight_scale = torch.nn.Parameter(scale, requires_grad=False)


def quantize(model, weight_bit_width):
    model.quantized_embed = QuantizedLinear(weight_bit_width, model.embed.weight.detach())
    return model
'''

METHODS = '''
    def quantize(self, bits):
        from .quantization import quantize

        print(f"Quantized to {bits} bit")
        return quantize(self, bits)
'''


def _load(root, name):
    import torch
    from transformers import AutoConfig, AutoModel

    files = remote_code_sources(name, f"{name.title()}Config", f"{name.title()}ForConditionalGeneration",
                                methods=METHODS)
    files["quantization.py"] = QUANTIZATION
    folder = remote_code_model(os.path.join(root, name), name, f"{name.title()}Config",
                               f"{name.title()}ForConditionalGeneration", files=files)
    torch.manual_seed(0)
    return AutoModel.from_config(AutoConfig.from_pretrained(folder, trust_remote_code=True), trust_remote_code=True)


def reproduce():
    with tempfile.TemporaryDirectory() as root:
        model = _load(root, "tinyglm")
        model.quantize(4)   # raises the real NameError: name 'round_up' is not defined


def fixed():
    import torch

    with tempfile.TemporaryDirectory() as root:
        model = _load(root, "tinyglmfull")   # fix 1: no quantize(), the weights stay in full precision
        out = model(torch.tensor([[1, 2, 3]]))
        assert out.shape == (1, 3, 8)
        return "forward pass without ChatGLM's quantization: " + str(tuple(out.shape))
