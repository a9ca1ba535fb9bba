import warnings

from kbfix.probes import live_tied_head, of_object

from . import build

TIED_HEAD = "peft-lora-on-tied-lm-head"


def peft(model, targets):
    from peft import LoraConfig, get_peft_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_peft_model(model, LoraConfig(r=4, target_modules=targets))


def test_lora_on_tied_gemma_head():
    model = peft(build.causal_lm(build.gemma()), ["q_proj", "lm_head"])
    found = live_tied_head.run(of_object(model))[0]
    assert found.kind == "lora-on-tied-embeddings"
    assert found.facts["tied_storage"] is True
    assert found.facts["adapted_embeddings"] == ["base_model.model.lm_head"]
    assert found.supports == (TIED_HEAD,)


def test_tied_storage_without_adapter():
    found = live_tied_head.run(of_object(build.causal_lm(build.gemma())))[0]
    assert found.facts["tied_storage"] is True
    assert found.refutes == (TIED_HEAD,)


def test_untied_qwen_with_lora_on_head():
    model = peft(build.causal_lm(build.qwen2()), ["lm_head"])
    found = live_tied_head.run(of_object(model))[0]
    assert found.facts["tied_storage"] is False
    assert found.refutes == (TIED_HEAD,)
