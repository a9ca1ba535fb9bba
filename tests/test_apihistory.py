"""The shipped API history (kbfix/data/apihistory) against facts checked by hand in the released
packages' sources, the "not covered" answers, the laziness, and the range formatting."""

import subprocess
import sys

import pytest

from kbfix import apihistory as ah
from kbfix.apihistory import Signature, VersionSet
from kbfix.apihistory.codec import decode_ranges, encode_ranges
from conftest import ROOT

EXPECTED = ("transformers", "peft", "trl", "accelerate", "datasets", "huggingface_hub", "tokenizers", "safetensors",
            "deepspeed", "bitsandbytes", "sentence-transformers", "flax", "optax", "orbax-checkpoint", "jax",
            "unsloth", "unsloth_zoo", "llamafactory", "ms-swift", "diffusers", "sglang", "llmcompressor", "llama-recipes",
            "llama-cookbook", "timm", "open_clip_torch", "lightning", "pytorch-lightning", "xtuner", "axolotl",
            "liger-kernel")


def test_importing_loads_no_data():
    code = ("import sys, kbfix.apihistory as ah; "
            "print(ah.loaded(), ah._manifest is None, 'kbfix.apihistory.history' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["()", "True", "False"]


def test_a_query_loads_only_its_library():
    code = ("import kbfix.apihistory as ah; ah.symbol_releases('peft', 'peft', 'LoraConfig'); "
            "ah.releases('trl'); print(ah.loaded())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "('peft',)"


def test_manifest_covers_the_stack():
    assert set(EXPECTED) <= set(ah.libraries())
    manifest = ah.manifest()
    assert manifest["built"] and manifest["tools"]["python"]
    for lib in EXPECTED:
        assert ah.releases(lib), lib
        assert (ah.DATA / f"{lib}.txt.gz").exists(), lib
    assert sum(p.stat().st_size for p in ah.DATA.iterdir()) < 25_000_000


def test_releases_are_ascending_every_one_since_december_2023_and_older_minors():
    trl = ah.releases("trl")
    assert trl[0] == "0.1.0" and "0.12.0" in trl and "0.4.1" in trl  # older releases: every one for trl
    transformers = ah.releases("transformers")
    assert "4.36.0" in transformers and "4.36.1" in transformers  # the series current in December 2023 on: all
    assert transformers[0] == "3.0.2" and "4.30.2" in transformers and "4.30.0" not in transformers  # before: minors
    bnb = ah.releases("bitsandbytes")  # policy "minor": the last patch of each minor series
    assert "0.41.3.post2" in bnb and "0.41.3" not in bnb and "0.42.0" in bnb


def test_trl_sft_trainer_tokenizer_renamed_processing_class_in_0_12():
    # 0.12 renamed the parameter; a deprecate_kwarg decorator kept accepting `tokenizer=` until 0.16 removed it
    tokenizer = ah.param_releases("trl", "trl.SFTTrainer.__init__", "tokenizer")
    processing = ah.param_releases("trl", "trl.SFTTrainer.__init__", "processing_class")
    assert tokenizer.first() == "0.4.2" and tokenizer.last() == "0.15.2"  # SFTTrainer arrived in 0.4.2
    assert processing.first() == "0.12.0"
    assert processing.next_after("0.11.4") == "0.12.0"
    assert tokenizer.contains("0.12.0") and tokenizer.contains("0.15.2") and not tokenizer.contains("0.16.0")
    assert not processing.contains("0.11.4")
    # a class name stands for its __init__, and the dotted top-level name follows the re-export
    assert ah.param_releases("trl", "trl.SFTTrainer", "processing_class") == processing


def test_trainer_tokenizer_accepted_through_its_deprecation_until_transformers_5():
    tokenizer = ah.param_releases("transformers", "transformers.Trainer.__init__", "tokenizer")
    assert tokenizer.contains("4.45.2") and tokenizer.contains("4.46.0") and tokenizer.contains("4.57.6")
    assert not tokenizer.contains("5.0.0")


def test_peft_lora_config_use_dora_added_in_0_9():
    dora = ah.param_releases("peft", "peft.LoraConfig", "use_dora")
    assert dora.first() == "0.9.0"
    assert dora.contains("0.9.0") and not dora.contains("0.8.2")
    signature = ah.signature("peft", "peft.LoraConfig", "0.9.0")
    assert signature is not None and signature.complete
    assert signature.accepts_keyword("use_dora") and signature.accepts_keyword("no_such_option") is False


def test_diffusers_one_release_per_minor_and_names_moved_or_removed():
    releases = ah.releases("diffusers")
    assert releases[0] == "0.3.0" and "0.21.4" in releases and "0.21.0" not in releases  # last patch of each minor
    # checked in the wheels: diffusers.utils.DIFFUSERS_CACHE is gone in 0.25, LTXPipeline arrives in 0.32,
    # diffusers/modeling_utils.py moved under diffusers/models/ in 0.12
    cache = ah.symbol_releases("diffusers", "diffusers.utils", "DIFFUSERS_CACHE")
    assert cache.last() == "0.24.0" and not cache.contains("0.25.1")
    assert ah.symbol_releases("diffusers", "diffusers", "LTXPipeline").first() == "0.32.2"
    assert ah.module_releases("diffusers", "diffusers.modeling_utils").last() == "0.11.1"
    assert ah.module_releases("diffusers", "diffusers.models.modeling_utils").first() == "0.12.1"
    assert ah.library_of("diffusers") == "diffusers"


def test_peft_prepare_model_for_int8_training_removed_in_0_10():
    gone = ah.symbol_releases("peft", "peft", "prepare_model_for_int8_training")
    assert gone.last() == "0.9.0"
    assert gone.contains("0.9.0") and not gone.contains("0.10.0")
    assert ah.symbol_releases("peft", "peft", "prepare_model_for_kbit_training").contains("0.10.0")


def test_transformers_adamw_removed():
    adamw = ah.symbol_releases("transformers", "transformers", "AdamW")
    assert adamw.first() == "3.0.2" and adamw.last() == "4.49.0"
    assert not adamw.contains("4.50.0") and adamw.next_after("4.49.0") is None


def test_transformers_lazy_import_table_and_v5_star_exports():
    llama = ah.symbol_releases("transformers", "transformers", "LlamaForCausalLM")
    assert llama.contains("4.36.2") and llama.contains("5.0.0") and llama.last() == ah.releases("transformers")[-1]
    assert ah.function_releases("transformers", "transformers.LlamaForCausalLM.forward").contains("5.0.0")
    # a method of a re-exported class is found under the re-exporting module too
    assert ah.symbol_releases("transformers", "transformers", "Trainer.train") == \
        ah.symbol_releases("transformers", "transformers.trainer", "Trainer.train")


def test_find_symbol_lists_every_home():
    places = ah.find_symbol("LoraConfig", libs=("peft",))
    modules = [p.module for p in places]
    assert modules[0] == "peft" and "peft.tuners.lora" in modules
    assert all(p.library == "peft" and p.releases for p in places)
    assert "peft:" in str(places[0])


def test_positional_params_and_signature():
    positional = ah.positional_params("peft", "peft.get_peft_model", "0.13.2")
    assert positional is not None and positional[:2] == ("model", "peft_config")
    assert ah.positional_params("peft", "peft.get_peft_model", "0.1.0") == ("model", "peft_config")
    assert ah.positional_params("transformers", "transformers.pipeline", "2.11.0") is None  # before coverage


def test_timm_lightning_liger_names_moved_or_removed():
    # checked in the wheels: timm 0.9 moved timm/models/layers/*.py to timm/layers (a shim package stays);
    # pytorch_lightning 2.0 dropped Trainer(gpus=) and utilities/distributed.py; liger-kernel 0.5.5 added Qwen2.5-VL
    assert ah.module_releases("timm", "timm.models.layers.helpers").last() == "0.6.13"
    assert ah.module_releases("timm", "timm.layers").first() == "0.9.11"
    assert ah.param_releases("pytorch-lightning", "pytorch_lightning.trainer.trainer.Trainer.__init__", "gpus").last() \
        == "1.9.5"
    assert ah.module_releases("pytorch-lightning", "pytorch_lightning.utilities.distributed").last() == "1.9.5"
    assert ah.symbol_releases("liger-kernel", "liger_kernel.transformers",
                              "apply_liger_kernel_to_qwen2_5_vl").first() == "0.5.5"
    assert ah.library_of("open_clip.model") == "open_clip_torch" and ah.library_of("liger_kernel") == "liger-kernel"
    assert ah.releases("sglang")[-1] == "0.5.23" and "0.4.9.post6" in ah.releases("sglang")  # last post of each patch


def test_imports_from_other_libraries():
    imported = ah.imports_from("trl", "0.12.0", "peft")
    assert ("peft", "PeftConfig") in imported and ("peft", "get_peft_model") in imported
    assert ah.imports_from("trl", "0.12.0", "not-a-library") is None


def test_library_names_and_modules_map_to_libraries():
    assert ah.covered("sentence_transformers") and ah.covered("Sentence-Transformers")
    assert ah.library_of("peft.tuners.lora") == "peft"
    assert ah.library_of("orbax.checkpoint.checkpoint_manager") == "orbax-checkpoint"
    assert ah.library_of("numpy.linalg") is None


def test_uncovered_library_says_so_and_never_raises():
    versions = ah.symbol_releases("no-such-lib", "x", "y")
    assert not versions.covered and str(versions) == "not covered" and not versions
    assert versions.contains("1.0") is None and versions.first() is None
    assert ah.releases("no-such-lib") == ()
    assert ah.signature("no-such-lib", "x.y", "1.0") is None
    assert ah.positional_params("no-such-lib", "x.y", "1.0") is None
    assert ah.imports_from("no-such-lib", "1.0", "peft") is None
    assert str(ah.param_releases("no-such-lib", "x.y", "z")) == "not covered"
    assert ah.find_symbol("LoraConfig", libs=("no-such-lib",)) == []


def test_unknown_names_in_a_covered_library_are_empty_sets():
    versions = ah.symbol_releases("peft", "peft", "NoSuchName")
    assert versions.covered and not versions and str(versions) == "none"
    assert not ah.function_releases("peft", "peft.no_such_function")


def test_jax_names_deleted_after_import_are_not_offered():
    # jax/__init__.py imports jax.interpreters.xla and deletes the name again from 0.4.14 on
    xla = ah.symbol_releases("jax", "jax", "xla")
    assert xla.contains("0.4.13") and not xla.contains("0.4.14")


def test_older_releases_date_removals_before_the_window():
    optim = ah.symbol_releases("flax", "flax", "optim")  # flax.optim went away in 0.6.0
    assert optim.last() == "0.5.3" and not optim.contains("0.6.0")


def test_range_formatting():
    minors = ("4.30.2", "4.31.0", "4.32.1", "4.33.3", "4.34.1")
    assert str(VersionSet("x", minors, frozenset({0, 1, 2, 4}))) == "4.30-4.32, 4.34"
    patches = ("0.7.0", "0.7.1", "0.8.0", "0.8.1")
    assert str(VersionSet("x", patches, frozenset({1, 2, 3}))) == "0.7.1-0.8.1"
    assert str(VersionSet("x", patches, frozenset({0}))) == "0.7.0"
    assert VersionSet("x", minors, frozenset({1, 2})).runs() == [("4.31.0", "4.32.1")]
    mixed = ("4.30.2", "4.31.0", "4.36.0", "4.36.1")  # older minors by their last patch, then every release
    assert str(VersionSet("x", mixed, frozenset({0, 1}))) == "4.30-4.31"
    assert str(VersionSet("x", mixed, frozenset({0, 3}))) == "4.30, 4.36.1"


def test_run_start_is_where_the_run_holding_a_release_began():
    releases = ("3.1.0", "3.5.1", "4.0.1", "4.46.3", "4.47.0", "4.48.0")
    came_back = VersionSet("x", releases, frozenset({0, 1, 4, 5}))  # a parameter that went away and came back
    assert came_back.first() == "3.1.0"
    assert came_back.run_start() == "4.47.0"  # no release known: the latest run
    assert came_back.run_start("4.48.0") == "4.47.0"
    assert came_back.run_start("3.5.1") == "3.1.0"
    assert came_back.run_start("4.0.1") == "4.47.0"  # a release without it: the latest run
    assert VersionSet("x", releases, frozenset()).run_start() is None


def test_contains_maps_an_uncovered_patch_to_its_series():
    minors = ("4.30.2", "4.31.0", "4.32.1")
    versions = VersionSet("x", minors, frozenset({1}))
    assert versions.contains("4.31.0") is True
    assert versions.contains("4.30.0") is False  # stands for 4.30.2
    assert versions.contains("4.29.0") is None  # series not covered
    assert versions.next_after("4.30.2") == "4.31.0" and versions.next_after("4.31.0") is None
    assert versions.previous_before("4.32.1") == "4.31.0"


@pytest.mark.parametrize("indices", [set(), {0}, {0, 1, 2}, {0, 2, 3, 7}, set(range(50)) - {13}])
def test_ranges_roundtrip(indices):
    assert decode_ranges(encode_ranges(indices)) == frozenset(indices)


def test_signature_text():
    signature = Signature.parse("self,a,/,b=,*args,c,d=,**kw")
    assert signature.positional == ("self", "a", "b") and signature.required_positional == ("self", "a")
    assert signature.varargs and signature.varkw and signature.complete
    assert str(signature) == "(self, a, /, b=..., *args, c, d=..., **kw)"
    partial = Signature.parse("self,x=,+")
    assert not partial.complete and partial.accepts_keyword("y") is None and str(partial) == "(self, x=..., ...)"
