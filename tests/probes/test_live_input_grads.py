"""Gradient checkpointing over a frozen base: the probe's verdict agrees with a real backward pass."""

import warnings

import pytest
import torch

from kbfix.probes import live_input_grads, of_object

from . import build

INPUT_GRADS = "input-no-grad-gradient-checkpointing"


def lora_model(use_reentrant, input_grads):
    """LoRA on a frozen tiny Qwen2 with checkpointing; ``input_grads=False`` removes the input hook
    that recent transformers/PEFT add on their own (older releases did not add it)."""
    from peft import LoraConfig, get_peft_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = get_peft_model(build.causal_lm(build.qwen2(num_hidden_layers=2)),
                               LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": use_reentrant})
    if not input_grads:
        model.get_base_model().disable_input_require_grads()
    model.train()
    return model


def backward(model):
    ids = torch.randint(0, 64, (1, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model(input_ids=ids, labels=ids).loss.backward()


def test_reentrant_without_input_grads():
    model = lora_model(use_reentrant=True, input_grads=False)
    found = live_input_grads.run(of_object(model))[0]
    assert found.supports == (INPUT_GRADS,)
    with pytest.raises(RuntimeError, match="does not require grad"):
        backward(model)


@pytest.mark.parametrize("reentrant,input_grads", [(False, False), (True, True)])
def test_inputs_reach_the_blocks(reentrant, input_grads):
    model = lora_model(use_reentrant=reentrant, input_grads=input_grads)
    found = live_input_grads.run(of_object(model))[0]
    assert found.refutes == (INPUT_GRADS,)
    backward(model)


def test_no_checkpointing():
    assert live_input_grads.run(of_object(build.causal_lm(build.qwen2()))) == []
