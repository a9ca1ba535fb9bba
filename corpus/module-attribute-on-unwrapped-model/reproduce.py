"""A training script written for DataParallel / DistributedDataParallel saves its checkpoint through `model.module`,
but this run (one GPU, no launcher, the DDP wrapper commented out) never wrapped the model: a tiny Llama model,
unwrapped, fails with torch's own AttributeError.

fixed() applies fix 0 (`getattr(model, "module", model)`) and fix 1 (accelerate's unwrap, which leaves an unwrapped
model as it is): both reach the model's state dict, wrapped in DistributedDataParallel (one gloo rank) or not.
"""

from kbfix.reproduce import tiny_llama

REQUIRES = ("torch", "transformers", "accelerate")
FIXES = (0, 1)


def reproduce():
    model = tiny_llama()  # world size 1: the script skipped DistributedDataParallel(model)
    return {"model": model.module.state_dict()}


def fixed():
    import torch
    from accelerate.utils import extract_model_from_parallel

    from kbfix.reproduce import deepspeed_rank

    plain = tiny_llama()
    keys = [list(getattr(plain, "module", plain).state_dict())[0],
            list(extract_model_from_parallel(plain).state_dict())[0]]
    with deepspeed_rank():  # one gloo rank: the same lines with the model wrapped
        torch.distributed.init_process_group(backend="gloo")
        wrapped = torch.nn.parallel.DistributedDataParallel(tiny_llama())
        keys += [list(getattr(wrapped, "module", wrapped).state_dict())[0],
                 list(extract_model_from_parallel(wrapped).state_dict())[0]]
    assert all(not key.startswith("module.") for key in keys), keys
    return "state dict keys reached unwrapped and wrapped: " + ", ".join(keys) + "\n"
