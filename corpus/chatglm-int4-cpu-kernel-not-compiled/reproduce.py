"""A tiny trust_remote_code model whose quantization.py runs an int4/int8 model on the CPU the way ChatGLM-6B-int4 and
ChatGLM2-6B-int4 do: at import it writes quantization_kernels.c beside itself and compiles it with
``os.system("gcc -O3 -fPIC -std=c99 ... -shared -o ...")``; when that fails it only logs "Compile cpu kernel ... failed."
and "Cannot load cpu kernel, don't use quantized model on cpu.", leaving ``cpu_kernels = None``. The model is loaded
from its folder by the installed transformers in a process whose PATH holds no gcc (Windows without MinGW/TDM-GCC, a
slim container): the first forward reaches extract_weight_to_float and the real
``AttributeError: 'NoneType' object has no attribute 'int8WeightExtractionFloat'``. fixed() applies fix 0: the same
script with the system gcc on PATH compiles the kernel and runs the forward pass. Each run uses a fresh
HF_MODULES_CACHE (a kernel compiled by an earlier run would be found). CPU only, nothing downloaded.
"""

import os
import tempfile

from kbfix.reproduce import failed, remote_code_model, remote_code_sources, run_script, succeeded

REQUIRES = ("torch", "transformers")
FIXES = (0,)

KERNEL_C = r'''
void extract_int8_weight_to_float(void *weight, void *scale_list, void *out, int n, int m) {
    const signed char *w = (const signed char *) weight;
    const float *s = (const float *) scale_list;
    float *o = (float *) out;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            o[i * m + j] = (float) w[i * m + j] * s[i];
}
'''

QUANTIZATION = '''
import ctypes
import os

import torch
from transformers.utils import logging

logger = logging.get_logger(__name__)

KERNEL_C = """@@KERNEL_SOURCE@@"""

cpu_kernels = None


class CPUKernel:
    def __init__(self):
        self.load = False
        self.int8WeightExtractionFloat = None
        source_code = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quantization_kernels.c")
        with open(source_code, "w", encoding="utf-8") as file:
            file.write(KERNEL_C)
        kernel_file = source_code[:-2] + ".so"
        compile_command = "gcc -O3 -fPIC -std=c99 {} -shared -o {}".format(source_code, kernel_file)
        exit_state = os.system(compile_command)
        if exit_state:
            logger.warning(f"Compile cpu kernel {compile_command} failed.")
            return
        kernels = ctypes.cdll.LoadLibrary(kernel_file)
        self.int8WeightExtractionFloat = kernels.extract_int8_weight_to_float
        self.load = True


def load_cpu_kernel():
    global cpu_kernels
    kernel = CPUKernel()
    if kernel.load:
        cpu_kernels = kernel
    else:
        logger.warning("Cannot load cpu kernel, don't use quantized model on cpu.")


load_cpu_kernel()


def extract_weight_to_float(weight: torch.Tensor, scale_list: torch.Tensor, source_bit_width: int):
    if source_bit_width == 8:
        func = cpu_kernels.int8WeightExtractionFloat
    else:
        func = cpu_kernels.int4WeightExtractionFloat
    n, m = weight.size(0), weight.size(1)
    out = torch.empty(n, m, dtype=torch.float, device="cpu")
    func(ctypes.c_void_p(weight.data_ptr()), ctypes.c_void_p(scale_list.data_ptr()), ctypes.c_void_p(out.data_ptr()),
         ctypes.c_int32(n), ctypes.c_int32(m))
    return out
'''.replace("@@KERNEL_SOURCE@@", KERNEL_C)

METHODS = '''
    def quantized_forward(self, input_ids):
        from .quantization import extract_weight_to_float

        weight = self.embed.weight.detach()
        scale = weight.abs().max(dim=-1).values / 127
        quantized = torch.round(weight / scale[:, None]).to(torch.int8).contiguous()
        return torch.nn.functional.embedding(input_ids, extract_weight_to_float(quantized, scale.contiguous(), 8))
'''

SCRIPT = """
import torch
from transformers import AutoConfig, AutoModel

config = AutoConfig.from_pretrained({folder!r}, trust_remote_code=True)
model = AutoModel.from_config(config, trust_remote_code=True).float()
out = model.quantized_forward(torch.tensor([[1, 2, 3]]))
print("forward on cpu with the compiled kernel", tuple(out.shape))
"""


def _folder(root):
    files = remote_code_sources("tinyglmint", "TinyglmintConfig", "TinyglmintForConditionalGeneration",
                                methods=METHODS)
    files["quantization.py"] = QUANTIZATION
    return remote_code_model(os.path.join(root, "tinyglm-int8"), "tinyglmint", "TinyglmintConfig",
                             "TinyglmintForConditionalGeneration", files=files)


def _run(path):
    with tempfile.TemporaryDirectory() as root:
        folder = _folder(root)
        return run_script(SCRIPT.format(folder=folder), timeout=300,
                          env={"PATH": path, "HF_MODULES_CACHE": os.path.join(root, "modules")}, unset=("CC",))


def reproduce():
    with tempfile.TemporaryDirectory() as empty:   # a PATH with no gcc on it
        return failed(_run(empty))


def fixed():
    return succeeded(_run(os.environ.get("PATH", "/usr/bin:/bin")), "forward on cpu with the compiled kernel")
