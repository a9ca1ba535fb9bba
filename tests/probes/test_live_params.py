"""Live objects: real tiny models, a real optimizer and a real Trainer."""

import torch

from kbfix.introspect import inspect_object
from kbfix.probes import live_params, of_object

from . import build

NOTHING = "no-trainable-parameters"


def test_frozen_model():
    model = build.causal_lm(build.qwen2())
    model.requires_grad_(False)
    findings = live_params.run(of_object(model))
    assert findings[0].kind == "model-all-frozen"
    assert findings[0].supports == (NOTHING,)


def test_trainable_model_facts():
    model = build.causal_lm(build.qwen2())
    model.model.embed_tokens.requires_grad_(False)
    found = live_params.run(of_object(model))[0]
    assert found.refutes == (NOTHING,)
    assert found.facts["trainable"] == found.facts["parameters"] - 64 * 16
    assert found.facts["trainable_dtypes"] == {"float32": len([p for p in model.parameters() if p.requires_grad])}
    assert found.facts["devices"] == {"cpu": len(list(model.parameters()))}


def test_optimizer_alone():
    model = build.causal_lm(build.qwen2())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    findings = inspect_object(optimizer)
    assert findings[0].kind == "optimizer-has-parameters"


def test_trainer(tmp_path):
    from transformers import Trainer, TrainingArguments

    model = build.causal_lm(build.qwen2())
    model.requires_grad_(False)
    trainer = Trainer(model=model, args=TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True))
    findings = inspect_object(trainer)
    assert of_object(trainer).kind == "trainer"
    assert NOTHING in {e for f in findings for e in f.supports}


def test_unsupported_object():
    found = inspect_object(object())
    assert found[0].error
