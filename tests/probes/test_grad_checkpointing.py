import json

from kbfix.probes import detect, grad_checkpointing

INPUT_GRADS = "input-no-grad-gradient-checkpointing"


def args(tmp_path, **values):
    file = tmp_path / "training_args.json"
    file.write_text(json.dumps({"output_dir": "out", "learning_rate": 2e-4, **values}))
    return detect(file)


def test_reentrant_over_lora(tmp_path):
    found = grad_checkpointing.run(args(tmp_path, gradient_checkpointing=True, use_peft=True, lora_r=16,
                                        gradient_checkpointing_kwargs={"use_reentrant": True}))
    assert found[0].supports == (INPUT_GRADS,)


def test_non_reentrant(tmp_path):
    found = grad_checkpointing.run(args(tmp_path, gradient_checkpointing=True, use_peft=True,
                                        gradient_checkpointing_kwargs={"use_reentrant": False}))
    assert found[0].refutes == (INPUT_GRADS,)


def test_unknown_without_the_live_model(tmp_path):
    found = grad_checkpointing.run(args(tmp_path, gradient_checkpointing=True))
    assert not found[0].supports and not found[0].refutes
    assert grad_checkpointing.run(args(tmp_path, gradient_checkpointing=False)) == []
