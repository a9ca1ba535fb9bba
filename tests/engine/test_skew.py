"""Version facts (kbfix/engine/skew.py): error forms read against the API history, the user's release read
from the paste, the pip bounds for the fix, Evidence of kind "version", and the laziness."""

import subprocess
import sys

import pytest

import kbfix
from kbfix import apihistory
from kbfix import traceback as tb
from kbfix.engine import installed, skew
from kbfix.engine.signatures import LogText
from kbfix.model import EvidenceKind
from kbfix.render import fill
from conftest import ROOT


def facts(text: str) -> skew.VersionFacts:
    return LogText(tb.parse(text).text).versions


def test_forms_are_read_in_every_wording():
    text = "\n".join([
        "ImportError: cannot import name 'AdamW' from 'transformers' (/x/transformers/__init__.py)",
        "ModuleNotFoundError: No module named 'transformers.modeling_layers'",
        "AttributeError: module 'flax' has no attribute 'optim'",
        "TypeError: Trainer.__init__() got an unexpected keyword argument 'processing_class'",
        "TypeError: Trainer.training_step() takes 3 positional arguments but 4 were given",
        "ImportError: tokenizers>=0.21,<0.22 is required for a normal functioning of this module, but found tokenizers==0.22.1.",
        "vllm 0.17.1 requires transformers<5,>=4.56.0, but you have transformers 5.3.0 which is incompatible.",
    ])
    kinds = [f.kind for f in skew.forms(text)]
    assert kinds == ["import", "module", "attribute", "kwarg", "positional", "requirement", "resolver"]
    assert skew.forms("ImportError: cannot import name 'X' from partially initialized module 'x' (most likely ...)") == []
    assert skew.forms("RuntimeError: CUDA out of memory.") == []
    # retyped into a post without the quotes Python prints
    retyped = skew.forms("`Accelerator.__init__() got an unexpected keyword argument use_seedable_sampler`\n"
                         "ImportError: cannot import name AdamW from transformers")
    assert [(f.kind, f.get("kwarg") or f.get("name"), f.get("callable") or f.get("module")) for f in retyped] == [
        ("kwarg", "use_seedable_sampler", "Accelerator.__init__"), ("import", "AdamW", "transformers")]


def test_removed_name_pins_below_the_release_that_removed_it():
    found = facts("Traceback (most recent call last):\n  File \"colbert/training/training.py\", line 7, in <module>\n"
                  "    from transformers import AdamW, get_linear_schedule_with_warmup\n"
                  "ImportError: cannot import name 'AdamW' from 'transformers' (transformers/__init__.py)\n")
    assert found.holds("symbol_removed") and found.holds("symbol_not_in_release")
    caps = found.found["symbol_removed"]
    assert caps["library"] == "transformers" and caps["last_good"] == "4.49.0"
    assert caps["pin"] == "transformers<4.50"
    assert caps["moved_to"] == "torch.optim.AdamW"
    assert caps["caller"] == "colbert/training/training.py"


def test_a_method_moved_up_to_a_base_class_is_inherited_not_removed():
    """PEFT 0.18 moved every tuner's merge_and_unload to BaseTuner: the history, which records the methods a class
    defines itself, shows LoraModel's own one ending in 0.17.1; the class kept it by inheritance, so the error is an
    old PEFT (before 0.3), not a new one to pin below 0.18."""
    found = facts("Traceback (most recent call last):\n  File \"merge.py\", line 12, in <module>\n"
                  "    model = model.merge_and_unload()\n"
                  "AttributeError: 'LoraModel' object has no attribute 'merge_and_unload'\n")
    assert found.holds("symbol_not_yet_added") and not found.holds("symbol_removed")
    caps = found.found["symbol_not_yet_added"]
    assert caps["library"] == "peft" and caps["first_good"] == "0.3.0" and caps["upgrade"] == "peft>=0.3"
    assert "pin" not in caps


def test_a_method_a_class_inherits_from_a_base_class_of_the_library_is_dated_by_the_base():
    """BertModel never defines get_head_mask itself: ModuleUtilsMixin (a base of every model) does, through transformers
    4.57.6; a tokenizer's apply_chat_template is PreTrainedTokenizerBase's, from 4.34."""
    found = facts("AttributeError: 'BertModel' object has no attribute 'get_head_mask'\n")
    caps = found.found["symbol_removed"]
    assert caps["last_good"] == "4.57.6" and caps["pin"] == "transformers<5.0"
    found = facts("AttributeError: 'LlamaTokenizerFast' object has no attribute 'apply_chat_template'\n")
    caps = found.found["symbol_not_yet_added"]
    assert caps["first_good"] == "4.34.1" and caps["upgrade"] == "transformers>=4.34"  # 4.34.0 is not covered: its series
    # a name no base class defines either stays undated
    assert not facts("AttributeError: 'BertModel' object has no attribute 'no_such_method_anywhere'\n").holds(
        "symbol_not_in_release")


def test_a_bare_function_is_the_one_covered_librarys_function_of_that_name_that_takes_the_keyword():
    """`load_dataset() got an unexpected keyword argument 'trust_remote_code'`: only datasets has a load_dataset that
    takes it (2.16 to 3.6); huggingface_hub's validator took use_auth_token= for token= until 1.0."""
    caps = facts("TypeError: load_dataset() got an unexpected keyword argument 'trust_remote_code'\n").found[
        "kwarg_not_accepted"]
    assert caps["library"] == "datasets" and caps["pin"] == "datasets>=2.16,<4.0"
    caps = facts("TypeError: hf_hub_download() got an unexpected keyword argument 'use_auth_token'\n").found[
        "kwarg_not_accepted"]
    assert caps["library"] == "huggingface_hub" and caps["pin"] == "huggingface_hub<1.0"
    # a function no covered library's takes the keyword is the user's own: only the form is read, nothing is dated
    assert set(facts("TypeError: train() got an unexpected keyword argument 'foo_bar'\n").found) == {"skew_form"}


def test_jax_deprecation_message_raised_as_attribute_error_is_read_as_a_removed_name():
    # jax/_src/deprecations.py answers a read of a removed module attribute with its deprecation message
    found = facts("    xla.backend_specific_translations[\"cpu\"][prim] = partial(\n"
                  "AttributeError: jax.interpreters.xla.backend_specific_translations is deprecated. Register custom "
                  "primitives via jax.interpreters.mlir instead.\n")
    assert found.holds("symbol_removed")
    caps = found.found["symbol_removed"]
    assert caps["library"] == "jax" and caps["pin"] == "jax<0.4.29"
    assert [(f.get("module"), f.get("name")) for f in skew.forms("AttributeError: jax.tree_map was removed in JAX v0.6.0")] == [
        ("jax", "tree_map")]
    # the message retold in a post without the exception name
    assert [(f.get("module"), f.get("name")) for f in skew.forms("jax.tree_map was removed in v 6.0.0: use jax.tree.map")] == [
        ("jax", "tree_map")]
    # a warning line that only says a name is deprecated is no failed read
    assert skew.forms("DeprecationWarning: jax.tree_map is deprecated: use jax.tree.map") == []


def test_a_name_removed_and_restored_upgrades_past_the_gap_and_an_import_retold_in_prose_is_read():
    # transformers 4.48.0 dropped is_torch_greater_or_equal_than_1_13 and 4.48.2 brought it back
    found = facts("Fail to import `is_torch_greater_or_equal_than_1_13` since transformers v4.48.0 for all "
                  "deepseek models").found
    assert found["symbol_removed"]["upgrade"] == "transformers>=4.48.2"
    assert found["symbol_removed"]["pin"] == "transformers<4.48"


def test_an_uncovered_earlier_patch_that_lacks_a_name_its_covered_patch_has_is_not_called_another_installation():
    # transformers 4.35.0 dropped is_flash_attn_available from transformers.utils, a later 4.35 patch put it back;
    # the history covers the 4.35 series by 4.35.2 only, so it cannot speak for 4.35.0
    found = facts("transformers: 4.35.0\n"
                  "ImportError: cannot import name 'is_flash_attn_available' from 'transformers.utils' "
                  "(~/lib/python3.10/site-packages/transformers/utils/__init__.py)\n")
    assert found.holds("symbol_removed")
    caps = found.found["symbol_removed"]
    assert caps["installed"] == "4.35.0"
    assert caps["upgrade"] == "transformers>=4.35.2,<4.39.0" and caps["pin"] == "transformers<4.35.0"
    # the covered patch is the first with the name: the user's earlier patch predates it (added in the series)
    added = facts("transformers: 4.46.0\n"
                  "ImportError: cannot import name 'AutoModelForImageTextToText' from 'transformers'\n").found
    assert added["symbol_not_yet_added"]["upgrade"] == "transformers>=4.46.1"
    # a development release stands for the release it became: the history speaks for it
    dev = facts("transformers: 4.38.0.dev0\n"
                "ImportError: cannot import name 'is_flash_attn_available' from 'transformers.utils'\n")
    assert not dev.holds("symbol_removed")


def test_name_added_later_upgrades_the_library_and_can_pin_the_caller():
    text = ("  File \"/usr/lib/python3.10/site-packages/accelerate/accelerator.py\", line 34, in <module>\n"
            "    from huggingface_hub import split_torch_state_dict_into_shards\n"
            "ImportError: cannot import name 'split_torch_state_dict_into_shards' from 'huggingface_hub'\n"
            "huggingface_hub: 0.20.3\n")
    found = facts(text)
    caps = found.found["symbol_not_yet_added"]
    assert caps["installed"] == "0.20.3" and caps["upgrade"].startswith("huggingface_hub>=")
    assert caps["caller"] == "accelerate" and caps["pin"].startswith("accelerate<")
    assert not found.holds("symbol_removed")


def test_diffusers_names_and_diffusers_as_the_caller():
    # diffusers.utils.DIFFUSERS_CACHE: in every release up to 0.24, gone in 0.25
    caps = facts("  File \"/home/u/MagicTime/utils/unet.py\", line 12, in <module>\n"
                 "    from diffusers.utils import DIFFUSERS_CACHE, WEIGHTS_NAME\n"
                 "ImportError: cannot import name 'DIFFUSERS_CACHE' from 'diffusers.utils' "
                 "(/usr/local/lib/python3.10/dist-packages/diffusers/utils/__init__.py)\n").found["symbol_removed"]
    assert caps["library"] == "diffusers" and caps["pin"] == "diffusers<0.25"
    # diffusers imports huggingface_hub.cached_download until 0.28 (dynamic_modules_utils): upgrade it past that
    caps = facts("  File \"/usr/local/lib/python3.11/dist-packages/diffusers/dynamic_modules_utils.py\", line 26, "
                 "in <module>\n"
                 "    from huggingface_hub import HfFolder, cached_download, hf_hub_download, model_info\n"
                 "ImportError: cannot import name 'cached_download' from 'huggingface_hub'\n").found["symbol_removed"]
    assert caps["caller"] == "diffusers" and caps["upgrade"] == "diffusers>=0.29"
    assert caps["pin"] == "huggingface_hub<0.26"


def test_the_caller_named_by_its_import_name_and_its_use_by_attribute():
    # orbax-checkpoint reads jax's serialization._DEFAULT_DRIVER as a module attribute (no import of the name);
    # the paste names it by its import name
    found = facts("so using latest orbax.checkpoint package would result in the following error\n"
                  "AttributeError: module 'jax.experimental.array_serialization.serialization' has no attribute "
                  "'_DEFAULT_DRIVER'\n")
    caps = next(iter(found.found.values()))
    assert caps["caller"] == "orbax-checkpoint" and caps["upgrade"].startswith("orbax-checkpoint>=")


def test_a_caller_release_past_its_last_use_is_not_told_to_upgrade_further():
    text = ("when I load optax==0.1.7, I got AttributeError: module 'jax.numpy' has no attribute 'DeviceArray'\n")
    caps = next(iter(facts(text).found.values()))
    assert caps["caller"] == "optax" and caps["upgrade"] == "optax"  # no ">=" bound the user already passed
    caps = next(iter(facts(text.replace("0.1.7", "0.1.3")).found.values()))
    assert caps["upgrade"].startswith("optax>=0.1.")


def test_a_caller_release_before_its_first_use_gets_no_bound_either():
    # orbax-checkpoint reads _DEFAULT_DRIVER from 0.4.2 on: a pasted 0.3.5 cannot be the one reading it
    text = ("orbax-checkpoint==0.3.5\nAttributeError: module 'jax.experimental.array_serialization.serialization' "
            "has no attribute '_DEFAULT_DRIVER'\n")
    found = facts(text)
    caps = next(iter(found.found.values()))
    assert caps["caller"] == "orbax-checkpoint" and caps["upgrade"] == "orbax-checkpoint"  # no bound
    assert not caps["pin"].startswith("orbax")
    assert "the use comes from elsewhere" in str(found.evidence(("symbol_removed",))[0].detail)


def test_keyword_added_later_and_keyword_removed():
    added = facts("TypeError: DPOTrainer.__init__() got an unexpected keyword argument 'processing_class'\n"
                  "I am using trl version 0.11.3")
    assert added.found["kwarg_not_accepted"]["upgrade"] == "trl>=0.12"
    message = "TypeError: TrainingArguments.__init__() got an unexpected keyword argument 'evaluation_strategy'"
    removed = facts(message + "\n- `transformers` version: 4.57.1")
    assert removed.found["kwarg_not_accepted"]["pin"] == "transformers<4.51"  # past the range: go back
    unknown = facts(message)  # only this machine's release: the paste may come from an older install
    assert unknown.found["kwarg_not_accepted"]["pin"] == "transformers>=3.2,<4.51"


def test_a_model_class_vllm_reimplements_is_dated_against_vllm_only_where_the_paste_speaks_of_vllm():
    message = "TypeError: InternVLChatModel.forward() got an unexpected keyword argument 'inputs_embeds'"
    # fine-tuning InternVL (its remote code's class of that name): no version fact from vLLM's class
    assert "kwarg_not_accepted" not in facts("Fine-tuning InternVL3 with LoRA in a GRPO run:\n" + message).found
    served = facts("vllm serve OpenGVLab/InternVL2-8B\n" + message)
    assert served.found["kwarg_not_accepted"]["library"] == "vllm"


def test_a_bare_init_is_read_on_the_class_of_that_name_that_takes_the_keyword():
    # deepspeed has zero.Init and linear.Init: the keyword tells which one the code called
    found = facts('  File "pretrain_gpt.py", line 39, in model_provider\n'
                  "    with deepspeed.zero.Init(sequence_data_parallel_group=mpu.get_sequence_data_parallel_group(),\n"
                  "TypeError: __init__() got an unexpected keyword argument 'sequence_data_parallel_group'\n"
                  "deepspeed==0.9.5").found
    assert "kwarg_invalid" not in found
    assert found["kwarg_not_accepted"]["library"] == "deepspeed"
    assert found["kwarg_not_accepted"]["upgrade"] == "deepspeed>=0.10"


def test_a_bare_init_is_read_on_the_class_called_in_the_failing_line():
    # Python < 3.10 names only __init__(); the line above the message calls the class (with ** keywords:
    # no kwarg= to find it by), and a class reached through an attribute (AsyncLLMEngine.) is not called
    found = facts("    self.model = AsyncLLMEngine.from_engine_args(AsyncEngineArgs(**engine_args))\n"
                  "TypeError: __init__() got an unexpected keyword argument 'limit_mm_per_prompt'\n"
                  "- vLLM version: 0.4.3\n").found
    caps = found["kwarg_not_accepted"]
    assert caps["callable"] == "AsyncEngineArgs.__init__" and caps["library"] == "vllm"
    assert caps["upgrade"] == "vllm>=0.5"
    # a line that calls no class the history knows says nothing
    assert "kwarg_not_accepted" not in facts("    x = make(**kw)\n"
                                             "TypeError: __init__() got an unexpected keyword argument 'limit_mm_per_prompt'\n").found


def test_a_config_attribute_is_dated_by_the_releases_whose_init_takes_it():
    # configs keep their __init__ parameters as attributes: LlamaConfig(attention_dropout=...) from transformers 4.36,
    # and the releases after the last recorded __init__ still have it
    found = facts('  File "KIVI/models/llama_kivi.py", line 25, in __init__\n'
                  "    self.attention_dropout = config.attention_dropout\n"
                  "AttributeError: 'LlamaConfig' object has no attribute 'attention_dropout'\n").found
    caps = found["symbol_not_yet_added"]
    assert caps["first_good"] == "4.36.0" and caps["upgrade"] == "transformers>=4.36"
    assert "symbol_removed" not in found
    # a name no release of the config's __init__ takes is not dated
    assert "symbol_not_in_release" not in facts("AttributeError: 'LlamaConfig' object has no attribute 'no_such_field'").found


def test_a_callable_run_into_chinese_prose_is_read_without_the_prose():
    found = facts("在DPO模式下可能报DPOTrainer.get_batch_logps() got an unexpected keyword argument "
                  "'average_log_prob'这个错误").found
    assert found["kwarg_not_accepted"]["callable"] == "DPOTrainer.get_batch_logps"
    assert found["kwarg_not_accepted"]["pin"] == "trl>=0.7.5,<0.9"


def test_config_key_from_a_later_release_is_a_config_saved_by_it():
    found = facts("TypeError: LoraConfig.__init__() got an unexpected keyword argument 'layer_replication'")
    assert found.holds("config_saved_by_newer") and found.found["config_saved_by_newer"]["upgrade"] == "peft>=0.10"
    written = facts("    config = LoraConfig(r=8, use_dora=True)\n"
                    "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'use_dora'\npeft==0.8.2\n")
    assert written.holds("kwarg_not_accepted") and not written.holds("config_saved_by_newer")
    # a training script that builds the config itself (diffusers#9664: the keyword is the script's, no file is read)
    script = facts("If run `python train_dreambooth_lora_sdxl.py ...` then i get\n"
                   "`TypeError: LoraConfig.__init__() got an unexpected keyword argument 'use_dora'`\n- peft version: 0.7.0")
    assert script.holds("kwarg_not_accepted") and not script.holds("config_saved_by_newer")
    # ... unless the paste shows a saved config being read
    loading = facts("python train.py --adapter out/checkpoint-100\n  File \"peft/config.py\", line 121, in from_pretrained\n"
                    "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'use_dora'\n")
    assert loading.holds("config_saved_by_newer")
    # a library's trainer module in the frames is not a training script of the user's
    library = facts("  File \"site-packages/transformers/trainer.py\", line 2240, in train\n"
                    "  File \"site-packages/trl/trainer/sft_trainer.py\", line 310, in __init__\n"
                    "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'layer_replication'\n")
    assert library.holds("config_saved_by_newer")
    # accelerate's launcher reads its saved default_config.yaml, written by a newer accelerate
    launcher = facts("accelerate launch train_network.py\n"
                     "  File \"accelerate/commands/config/config_args.py\", line 64, in load_config_from_file\n"
                     "    return config_class.from_yaml_file(yaml_file=config_file)\n"
                     "  File \"accelerate/commands/config/config_args.py\", line 117, in from_yaml_file\n"
                     "    return cls(**config_dict)\n"
                     "TypeError: ClusterConfig.__init__() got an unexpected keyword argument 'tpu_env'\n")
    assert launcher.holds("config_saved_by_newer")


def test_a_config_built_from_saved_keywords_is_not_an_override():
    # peft builds the adapter's config from the saved adapter_config.json: the keyword comes from the
    # file (a newer peft wrote it), not from a library calling a method it expects overridden
    text = ('  File "/x/site-packages/peft/config.py", line 134, in from_pretrained\n'
            "    config = config_cls(**kwargs)\n"
            "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'loftq_config'\n")
    found = facts(text)
    assert not found.holds("override_out_of_step")
    assert found.holds("config_saved_by_newer") and found.found["config_saved_by_newer"]["upgrade"] == "peft>=0.7"


def test_override_out_of_step_names_the_release_that_changed_the_call():
    text = ("  File \"lib/python3.12/site-packages/transformers/trainer.py\", line 2474, in _inner_training_loop\n"
            "    tr_loss_step = self.training_step(model, inputs, num_items_in_batch)\n"
            "TypeError: Trainer.training_step() takes 3 positional arguments but 4 were given\n")
    found = facts(text)
    assert found.holds("override_out_of_step") and found.holds("positional_count_changed")
    assert found.found["override_out_of_step"]["pin"] == "transformers<4.46"
    # the history covers the 4.46 series from 4.46.1: the bound the fix text names is the series, as the pin's is
    assert found.found["override_out_of_step"]["changed_in"] == "4.46"
    keyword = facts("  File \"/x/site-packages/transformers/trainer.py\", line 3579, in training_step\n"
                    "TypeError: MyTrainer.compute_loss() got an unexpected keyword argument 'num_items_in_batch'\n")
    assert keyword.found["override_out_of_step"]["changed_in"].startswith("4.46")


def test_an_override_is_dated_by_the_run_of_releases_that_holds_the_call():
    # Trainer.log took a third positional argument in 3.x (iterator), not in 4.0-4.46, and again from 4.47
    # (start_time): the override of log(self, logs) broke in 4.47, not in 3.1
    text = ('  File "/x/site-packages/transformers/trainer.py", line 3045, in _maybe_log_save_evaluate\n'
            "    self.log(logs, start_time)\n"
            "TypeError: log() takes 2 positional arguments but 3 were given\n")
    found = facts(text).found["override_out_of_step"]
    assert found["changed_in"] == "4.47" and found["pin"] == "transformers<4.47"


def test_a_keyword_forwarded_through_kwargs_is_not_an_override():
    # vLLM's LLM.__init__ takes **kwargs and hands them on to EngineArgs: the keyword came from TRL above it
    # (written for a newer vLLM), not from vLLM calling a method it expects overridden
    text = ('  File "/x/site-packages/trl/scripts/vllm_serve.py", line 238, in main\n'
            "    llm = LLM(\n"
            '  File "/x/site-packages/vllm/entrypoints/llm.py", line 212, in __init__\n'
            "    engine_args = EngineArgs(\n"
            "TypeError: EngineArgs.__init__() got an unexpected keyword argument 'worker_extension_cls'\n")
    found = facts(text)
    assert not found.holds("override_out_of_step")
    assert found.holds("kwarg_not_accepted") and found.found["kwarg_not_accepted"]["library"] == "vllm"


def test_a_model_method_override_without_frames_is_read_against_pretrainedmodel():
    # the Trainer calls model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=...) from 4.35 on
    found = facts("TypeError: BiEncoderModel.gradient_checkpointing_enable() got an unexpected keyword argument "
                  "'gradient_checkpointing_kwargs'")
    assert found.holds("override_out_of_step")
    assert found.found["override_out_of_step"]["pin"] == "transformers<4.35"


def test_a_retyped_capitalised_import_error_is_read():
    forms = skew.forms("Cannot import name 'shard_checkpoint' from 'transformers.modeling_utils'")
    assert [(f.kind, f.get("name"), f.get("module")) for f in forms] == [
        ("import", "shard_checkpoint", "transformers.modeling_utils")]


def test_requirements_and_resolver_conflicts():
    low = facts("ImportError: peft>=0.17.0 is required for a normal functioning of this module, but found peft==0.14.0.")
    assert low.found["minimum_not_met"]["upgrade"] == "peft>=0.17.0" and "pin" not in low.found["minimum_not_met"]
    high = facts("ImportError: deepspeed>=0.10.0,<=0.16.9 is required for a normal functioning of this module, "
                 "but found deepspeed==0.17.2.")
    assert high.found["minimum_not_met"]["pin"] == "deepspeed<=0.16.9,>=0.10.0"
    conflict = facts("vllm 0.17.1 requires transformers<5,>=4.56.0, but you have transformers 5.3.0 which is incompatible.")
    caps = conflict.found["resolver_conflict"]
    assert caps["pin"] == "transformers<5,>=4.56.0" and caps["upgrade"] == "vllm" and caps["installed"] == "5.3.0"


def test_a_minimum_worded_as_only_works_on_and_ended_by_a_full_stop_is_read():
    # Unsloth's loader: the release the model needs, then the sentence's full stop
    unsloth = facts("RuntimeError: Unsloth: Cohere's Command model only works on transformers >= 4.50.0.\n"
                    "transformers 4.49.0 is the latest")
    caps = unsloth.found["minimum_not_met"]
    assert caps["upgrade"] == "transformers>=4.50.0" and caps["requirement"] == "transformers>=4.50.0"


def test_misspelled_and_elsewhere_and_fork_keywords():
    assert facts("ImportError: cannot import name 'Loraconfig' from 'peft'").found["symbol_misspelled"]["suggestion"] == "LoraConfig"
    elsewhere = facts("ImportError: cannot import name 'LoraConfig' from 'transformers'").found["symbol_elsewhere"]
    assert elsewhere["elsewhere_library"] == "peft"
    fork = facts("DPOTrainer.__init__() got an unexpected keyword argument 'gamma'\n"
                 "DPOTrainer.__init__() got an unexpected keyword argument 'dpo_alpha'\n")
    assert fork.holds("kwargs_never_existed")
    mine = facts("config = LoraConfig(\n    r=16,\n    use_original_init=False,\n)\n"
                 "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'use_original_init'")
    assert mine.holds("kwarg_invalid") and not mine.holds("kwargs_never_existed")


def test_private_and_uncovered_names_claim_nothing():
    assert facts("AttributeError: module 'torch._C' has no attribute '_cuda_setDevice'").found.keys() <= {"skew_form"}
    assert facts("ImportError: cannot import name 'soft_unicode' from 'markupsafe'").found.keys() <= {"skew_form"}


@pytest.mark.parametrize("text, version, source", [
    ("Package    Version\n---------- -------\ntrl        0.15.2\n", "0.15.2", "pip list"),
    ("trl==0.15.2\ntorch==2.5.1\n", "0.15.2", "pip freeze"),
    ("- TRL version: 0.15.0.dev0\n- Transformers version: 4.50.0", "0.15.0.dev0", "env"),
    ("Successfully installed trl-0.16.1 transformers-4.50.0", "0.16.1", "pip"),
    ("$ pip show trl\nName: trl\nVersion: 0.16.1\nSummary: Train transformer language models", "0.16.1", "pip"),
    ("### System Info\n\ntrl in /usr/local/lib/python3.10/dist-packages (0.9.6)\n", "0.9.6", "pip"),
    ("/venv/lib/python3.10/site-packages/trl-0.9.6.dist-info/METADATA", "0.9.6", "path"),
    ("With trl-0.12.1 I get the following error", "0.12.1", "prose"),
    ("==((====))==  Unsloth 2025.3.7: Fast Llama patching. TRL: 0.15.2. Transformers: 4.48.3.", "0.15.2", "prose"),
    ("- `TRL` version: 0.14.0\n- `Accelerate` version: 1.3.0", "0.14.0", "env"),
    ("The error appears when I use `trl==0.12.1` with the DPO script", "0.12.1", "prose"),
])
def test_installed_release_is_read_from_the_paste(text, version, source):
    found = installed.from_paste(text, "trl")
    assert (found.version, found.source) == (version, source)


def test_a_wanted_version_is_not_an_installed_one():
    assert installed.from_paste("pip install trl==0.9.6", "trl") is None
    assert installed.from_paste("I then ran pip install -U `trl==0.9.6`", "trl") is None
    assert installed.from_paste("please downgrade to trl 0.9.6", "trl") is None
    assert installed.from_paste("it was introduced in transformers 4.34", "transformers") is None


def test_installed_release_of_a_library_known_by_its_import_name():
    # pip lists open_clip_torch and llmcompressor under names their import packages do not share
    assert installed.from_paste("open_clip: 2.24.0", "open_clip_torch").version == "2.24.0"
    assert installed.from_paste("llm-compressor==0.5.1", "llmcompressor").version == "0.5.1"
    assert installed.from_paste("pytorch_lightning==1.9.0", "pytorch-lightning").version == "1.9.0"
    assert installed.from_paste("pytorch_lightning==1.9.0", "lightning") is None


def test_installed_falls_back_to_this_environment_and_says_so():
    here = installed.read("nothing about versions here", "torch")
    assert here.source == "environment" and here.version
    assert "another machine" in here.says().en
    assert installed.read("", "surely-not-installed-pkg").source == "unknown"


def test_a_match_states_its_version_facts_as_evidence(engine):
    report = engine.diagnose(tb.parse("ImportError: cannot import name 'cached_download' from 'huggingface_hub' "
                                      "(/usr/local/lib/python3.11/dist-packages/huggingface_hub/__init__.py)"))
    assert report.verdict == "match" and report.best.entry.id == "removed-or-renamed-symbol"
    version = [e for e in report.best.evidence if e.kind == EvidenceKind.VERSION]
    assert version and "from the API history of huggingface_hub" in version[0].detail.en
    assert version[0].detail.zh and "API 历史" in version[0].detail.zh
    assert report.best.captures["pin"] == "huggingface_hub<0.26"
    from kbfix.render import match_json

    commands = [c for fix in match_json(report.best, "en")["fixes"] for c in fix["commands"]]
    assert 'python -m pip install "huggingface_hub<0.26"' in commands


LAZY = """
import sys
from kbfix import diagnose
from kbfix.render import report_json
report = diagnose({text!r})
report_json(report)
print(report.best.entry.id if report.best else "-", "kbfix.apihistory" in sys.modules, "kbfix.engine.skew_read" in sys.modules)
"""


def test_a_diagnosis_that_needs_no_version_facts_does_not_load_the_api_history():
    oom = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total capacity)"
    out = subprocess.run([sys.executable, "-c", LAZY.format(text=oom)], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["cuda-out-of-memory", "False", "False"]
    skewed = "ImportError: cannot import name 'AdamW' from 'transformers' (/x/site-packages/transformers/__init__.py)"
    out = subprocess.run([sys.executable, "-c", LAZY.format(text=skewed)], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["removed-or-renamed-symbol", "True", "True"]


def test_a_wording_that_decides_its_fix_sets_the_package_over_what_other_readings_say():
    """``sets`` on a signature: transformers 4.45's Trainer calling train() on a torch optimizer wrapped by
    accelerate 0.34.0-0.34.1 always needs accelerate>=0.34.2, whatever the API history reads of the message."""
    from kbfix.render import report_json

    text = "\n".join([
        "Traceback (most recent call last):",
        '  File "/usr/lib/python3.10/site-packages/transformers/trainer.py", line 3477, in training_step',
        "    self.optimizer.train()",
        '  File "/usr/lib/python3.10/site-packages/accelerate/optimizer.py", line 128, in train',
        "    return self.optimizer.train()",
        "AttributeError: 'AdamW' object has no attribute 'train'",
    ])
    report = kbfix.diagnose(text)
    assert report.verdict == "match" and report.matches[0].entry.id == "removed-or-renamed-symbol"
    captures = report.matches[0].captures
    assert captures["upgrade"] == "accelerate>=0.34.2" and captures["library"] == "accelerate"
    commands = [c for f in report_json(report)["matches"][0]["fixes"] for c in f["commands"]]
    assert any('pip install -U "accelerate>=0.34.2"' in c for c in commands), commands


def test_sets_must_map_capture_names_to_values(tmp_path):
    import shutil

    from kbfix import corpus

    root = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus" / "no-trainable-parameters", root / "no-trainable-parameters",
                    ignore=shutil.ignore_patterns("__pycache__"))
    entry = root / "no-trainable-parameters" / "entry.md"
    entry.write_text(entry.read_text().replace("[[signatures]]\n", "[[signatures]]\nsets = { 'not a name' = 3 }\n", 1))
    problems = [p for p in corpus.check(root) if p.field.endswith("sets")]
    assert problems and "capture names to fixed values" in problems[0].message


def test_a_keyword_the_pasted_release_takes_points_at_the_library_named_in_the_paste_that_defines_the_same_class():
    # transformers >= 4.43's LlamaRotaryEmbedding takes config=; the paste shows 4.49.0 and names Unsloth, which
    # defines its own LlamaRotaryEmbedding: upgrading transformers to >= 4.43 would change nothing, Unsloth is behind
    text = ("I run unsloth and get\n"
            "TypeError: LlamaRotaryEmbedding.__init__() got an unexpected keyword argument 'config'\n"
            "transformers : 4.49.0\n")
    caps = facts(text).found["kwarg_not_accepted"]
    assert caps["library"] == "unsloth" and caps["upgrade"].startswith("unsloth>=")
    # without another library named, the class is transformers' own: the bound stays on transformers
    alone = facts(text.replace("I run unsloth and get\n", "")).found
    assert all(c.get("library") == "transformers" for c in alone.values() if c.get("library"))


def _auto_lookup_failure(frame: str, code: str, line: str, exception: str, version: str = "") -> str:
    """A traceback ending in one of transformers' auto-class lookups (``frame`` of models/auto/, its ``code`` line), with
    ``exception`` last and, given ``version``, an environment report's transformers line."""
    env = f"\n- `transformers` version: {version}\n" if version else ""
    return ("Traceback (most recent call last):\n"
            '  File "train.py", line 8, in <module>\n'
            "    model = Auto.from_pretrained(args.model)\n"
            f'  File "/usr/lib/python3.10/site-packages/transformers/models/auto/{frame}", line {line}, in from_pretrained\n'
            f"    {code}\n"
            f"{exception}\n{env}")


def _named_with_bound(text: str, fact: str, bound: str):
    """``fact`` holds with ``bound`` as its upgrade, and the unknown-architecture answer's fix installs it."""
    found = facts(text)
    assert found.holds(fact) and not found.holds("skew_form")
    assert found.found[fact]["upgrade"] == bound
    report = kbfix.diagnose(text)
    assert report.best.entry.id == "transformers-unknown-architecture"
    commands = [fill(c, report.best.captures, report.best.entry.placeholders)
                for fix in report.best.entry.fixes for c in fix.commands]
    assert f'pip install -U "{bound}"' in commands
    return found


def _unknown_model_type(model_type: str, version: str = "") -> str:
    return _auto_lookup_failure("configuration_auto.py", 'config_class = CONFIG_MAPPING[config_dict["model_type"]]', "1022",
                                f"KeyError: '{model_type}'", version)


def test_a_model_type_a_release_added_gets_the_first_release_that_has_it():
    """qwen3 is transformers' own package from 4.51.0: the fix is that release, not 'upgrade transformers'."""
    found = _named_with_bound(_unknown_model_type("qwen3", "4.46.3"), "model_type_added", "transformers>=4.51")
    assert found.found["model_type_added"]["installed"] == "4.46.3"
    # a sub-config's type is its model's package (gemma3_text: gemma3, 4.50)
    assert facts(_unknown_model_type("gemma3_text", "4.45.0")).found["model_type_added"]["upgrade"] == "transformers>=4.50"


def test_a_model_type_no_release_ever_had_is_no_old_transformers():
    """A project's or a model repository's own type (openvla, tinyllava, InternLM2's remote code): upgrading transformers
    cannot help, so the unknown-architecture answer stands down; a type whose name only begins with a release's package
    (llava_llama) is left to the corpus's own conditions, and a user on the newest covered release may have met a type
    newer than the history."""
    for model_type in ("openvla", "internlm2"):
        found = facts(_unknown_model_type(model_type))
        assert found.holds("model_type_never_in_release") and not found.holds("model_type_added")
        report = kbfix.diagnose(_unknown_model_type(model_type))
        assert report.best is None or report.best.entry.id != "transformers-unknown-architecture"
        assert ("transformers-unknown-architecture", "condition") in report.ruled_out
    assert not facts(_unknown_model_type("llava_llama")).holds("model_type_never_in_release")
    newest = apihistory.releases("transformers")[-1]
    assert not facts(_unknown_model_type("qwen9", newest)).holds("model_type_never_in_release")


def _unknown_tokenizer_class(name: str, version: str = "") -> str:
    return _auto_lookup_failure("tokenization_auto.py", "raise ValueError(", "784",
                                f"ValueError: Tokenizer class {name} does not exist or is not currently imported.", version)


def test_a_tokenizer_class_a_release_added_gets_the_first_release_that_has_it():
    """Qwen2Tokenizer is exported from 4.37.0: the fix's bound is that release; a Fast name counts its slow twin."""
    _named_with_bound(_unknown_tokenizer_class("Qwen2Tokenizer", "4.36.2"), "tokenizer_class_added", "transformers>=4.37")
    assert facts(_unknown_tokenizer_class("GemmaTokenizerFast", "4.36.2")).found["tokenizer_class_added"]["upgrade"] \
        == "transformers>=4.38"


def test_a_tokenizer_class_no_release_ever_exported_is_no_old_transformers():
    """A model repository's own class (IndicBertTokenizer): no upgrade brings it, so the unknown-architecture answer
    stands down; on the newest covered release the class may be newer than the history."""
    found = facts(_unknown_tokenizer_class("IndicBertTokenizer"))
    assert found.holds("tokenizer_class_never_in_release") and not found.holds("tokenizer_class_added")
    report = kbfix.diagnose(_unknown_tokenizer_class("IndicBertTokenizer"))
    assert report.best is None or report.best.entry.id != "transformers-unknown-architecture"
    assert ("transformers-unknown-architecture", "condition") in report.ruled_out
    newest = apihistory.releases("transformers")[-1]
    assert not facts(_unknown_tokenizer_class("FooTokenizer", newest)).holds("tokenizer_class_never_in_release")
    # a class the user's release exports: neither fact (a backend that failed to import, another installation)
    mine = facts(_unknown_tokenizer_class("LlamaTokenizer", "4.40.0"))
    assert not mine.holds("tokenizer_class_added") and not mine.holds("tokenizer_class_never_in_release")


def test_a_method_moved_up_to_a_new_mixin_is_no_removal():
    """transformers 4.54 moved every model's get_input_embeddings up to EmbeddingAccessMixin, a class new in that
    release: named as a base, it takes the method over, and a class that had the method in every release it exists in
    says nothing about the user's release (the object is not what the code expects)."""
    found = facts("AttributeError: 'LlamaForCausalLM' object has no attribute 'get_input_embeddings'")
    assert not found.holds("symbol_not_in_release") and not found.holds("symbol_removed")
    report = kbfix.diagnose("AttributeError: 'LlamaForCausalLM' object has no attribute 'get_input_embeddings'")
    assert report.best is None or report.best.entry.id != "removed-or-renamed-symbol"


def test_an_object_attribute_message_that_lost_its_quotes_is_read():
    """A title or a retyped message: "NllbTokenizerFast' object has no attribute 'lang_code_to_id"."""
    found = [f for f in skew.forms("NllbTokenizerFast' object has no attribute 'lang_code_to_id") if f.kind == "object"]
    assert found and found[0].get("cls") == "NllbTokenizerFast" and found[0].get("name") == "lang_code_to_id"
    assert not [f for f in skew.forms("the NoneType-ish value has no attribute x") if f.kind == "object"]
