"""LLaMA-Factory 0.9.3's PPO reward model, ``reward_model_type: lora`` (the default), pointed at the output folder of a
LoRA SFT run: the adapter is there, ``value_head.safetensors`` / ``value_head.bin`` are not, so
``create_reward_model`` (llamafactory/train/trainer_utils.py) loads the adapter, finds no value head and asserts
``Reward model is not correctly loaded.``

Verified in the LLaMA-Factory 0.9.3 overlay (``LLAMAFACTORY_OVERLAY``: LLaMA-Factory refuses other dependency
releases at import); skipped elsewhere. The policy is a tiny in-memory Qwen2 with a LoRA adapter inside trl's
value-head wrapper, as LLaMA-Factory builds it for PPO; both folders are written to a temporary directory, nothing is
downloaded.
fixed() applies fix 0: ``reward_model`` points at a reward-model run's folder, which holds the adapter and
``value_head.safetensors``.
"""

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, llamafactory_requires

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = LLAMAFACTORY_OVERLAY
# llamafactory >= 0.8 (create_reward_model in train/trainer_utils.py); verified with 0.9.3
REQUIRES = llamafactory_requires(("torch", "transformers", "peft", "trl", "safetensors", "llamafactory"), (0, 8), (4, 41))
FIXES = (0,)


def _policy():
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM
    from trl import AutoModelForCausalLMWithValueHead

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    lora = LoraConfig(task_type="CAUSAL_LM", r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"])
    return AutoModelForCausalLMWithValueHead.from_pretrained(get_peft_model(Qwen2ForCausalLM(config), lora))


def _create_reward_model(folder):
    from llamafactory.hparams import FinetuningArguments, ModelArguments
    from llamafactory.train.trainer_utils import create_reward_model

    model = _policy()
    model_args = ModelArguments(model_name_or_path="tiny-qwen2")
    finetuning_args = FinetuningArguments(stage="ppo", finetuning_type="lora", reward_model=folder,
                                          reward_model_type="lora")
    create_reward_model(model, model_args, finetuning_args)
    return model


def _save(folder, value_head):
    from safetensors.torch import save_file

    model = _policy()
    model.pretrained_model.save_pretrained(folder)  # adapter_config.json + adapter_model.safetensors
    if value_head:  # what a `stage: rm` run also writes
        state = {k: v.contiguous() for k, v in model.v_head.state_dict().items()}
        save_file({f"v_head.{k}": v for k, v in state.items()}, f"{folder}/value_head.safetensors")


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _save(f"{tmp}/sft", value_head=False)  # reward_model: saves/<model>/lora/sft
        _create_reward_model(f"{tmp}/sft")


def fixed():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _save(f"{tmp}/reward", value_head=True)  # fix 0: reward_model: saves/<model>/lora/reward
        model = _create_reward_model(f"{tmp}/reward")
        assert tuple(model.reward_head_weight.shape) == (1, 16), model.reward_head_weight.shape
        return "Loaded adapter weights of reward model, value head " + str(tuple(model.reward_head_weight.shape)) + "\n"
