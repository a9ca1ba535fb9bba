"""A frozen reference model (every parameter with requires_grad=False, as LLaMA-Factory's create_ref_model leaves it)
handed to the real deepspeed.initialize (CPU, gloo, one rank) with the training's ZeRO-3 config, "optimizer" section
included, the way TRL's prepare_deepspeed / accelerate's _prepare_deepspeed pass the reference model of DPO / KTO / PPO.
The config's optimizer makes DeepSpeed build a ZeRO-3 optimizer over the model's parameters; none of them is trainable,
so every parameter group is dropped and DeepSpeedZeroOptimizer_Stage3 fails: with offload_param,
``ValueError: max() arg is an empty sequence`` in ``initialize_optimizer_states`` (without offload_param the same model
stops earlier, in ``defragment``: a bare AssertionError).

fixed() applies fix 0: the reference model gets a copy of the config without "optimizer" / "scheduler" (DeepSpeed then
builds its inference-only ZeRO-3 engine), runs forward, and its weights stay as they were; the trained model keeps the
config with its optimizer and takes a step.
"""

import copy

from kbfix.reproduce import deepspeed_rank

REQUIRES = ("torch", "deepspeed")
FIXES = (0,)

CONFIG = {
    "train_micro_batch_size_per_gpu": 2,
    "optimizer": {"type": "AdamW", "params": {"lr": 1e-2, "torch_adam": True}},
    "zero_optimization": {"stage": 3, "offload_param": {"device": "cpu"}, "offload_optimizer": {"device": "cpu"}},
}


def _model(frozen):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    if frozen:
        model.requires_grad_(False)  # the reference model: only run forward
    return model


def reproduce():
    import deepspeed

    with deepspeed_rank():
        ref_model = _model(frozen=True)
        ref_model, *_ = deepspeed.initialize(model=ref_model, config=copy.deepcopy(CONFIG))


def fixed():
    import deepspeed
    import torch

    shown = []
    with deepspeed_rank():
        ref_config = copy.deepcopy(CONFIG)
        ref_config.pop("optimizer", None)  # fix 0: the reference model gets no optimizer
        ref_config.pop("scheduler", None)
        ref_model, *_ = deepspeed.initialize(model=_model(frozen=True), config=ref_config)
        ref_model.eval()
        with torch.no_grad():
            out = ref_model(torch.randn(2, 8))
        assert out.shape == (2, 1), out.shape
        shown.append(f"reference model without an optimizer: forward gives {tuple(out.shape)}")

        model = _model(frozen=False)                          # the policy keeps the config with its optimizer
        policy, *_ = deepspeed.initialize(model=model, model_parameters=model.parameters(), config=copy.deepcopy(CONFIG))
        loss = torch.nn.functional.mse_loss(policy(torch.randn(2, 8)), torch.randn(2, 1))
        policy.backward(loss)
        policy.step()
        assert policy.global_steps == 1, policy.global_steps
        shown.append(f"trained model with the config's optimizer: {policy.global_steps} optimizer step")
    return "\n".join(shown)
