from kbfix.introspect import inspect_paths
from kbfix.artifacts import target
from kbfix.probes import adapter_base, detect

from . import build

ARCHITECTURE = "checkpoint-size-mismatch-wrong-architecture"


def test_adapter_on_a_wider_base(gemma_adapter_clean, tmp_path):
    wide = build.save(build.causal_lm(build.gemma(hidden_size=32)), tmp_path / "gemma-wide")
    findings = inspect_paths([gemma_adapter_clean, wide])
    other = next(f for f in findings if f.kind == "adapter-for-other-base")
    assert other.supports == (ARCHITECTURE,)
    example = next(iter(other.facts["examples"].values()))
    assert example["base_layer"][1] == 32


def test_adapter_fits_its_base(gemma_adapter_clean, gemma_dir):
    findings = adapter_base.run(target.Target(target.ADAPTER, gemma_adapter_clean, base=gemma_dir))
    assert findings[0].kind == "adapter-fits-base"


def test_adapter_names_another_base(gemma_adapter_clean, gemma_dir, tmp_path):
    folder = build.copy(gemma_adapter_clean, tmp_path / "renamed")
    build.edit_json(folder / "adapter_config.json", base_model_name_or_path="google/gemma-7b")
    findings = adapter_base.run(target.Target(target.ADAPTER, folder, base=gemma_dir))
    assert findings[0].kind == "adapter-base-name-differs"
    assert not findings[0].supports


def test_detects_adapter_folder(gemma_adapter):
    assert detect(gemma_adapter).kind == target.ADAPTER
