"""trl >= 0.9.6 removed the "kto_pair" loss from DPOTrainer: DPOConfig(loss_type="kto_pair") raises
"Support for kto_pair has been removed in DPOTrainer. Please use KTOTrainer.", and a trainer that sets the loss type
itself after the config (LLaMA-Factory's CustomDPOTrainer: ``self.loss_type = finetuning_args.pref_loss``, then
DPOTrainer.dpo_loss) gets "Unknown loss type: kto_pair. Should be one of [...]" from dpo_loss.

reproduce() checks that the config refuses loss_type="kto_pair" (the first wording), then calls trl's own
DPOTrainer.dpo_loss with the loss type set on the trainer as LLaMA-Factory does, which raises the second wording. fixed() (fix 0) asks for another loss of the same trainer ("sigmoid"): the config is accepted and the same
dpo_loss call returns losses.

The environment has no trl, so this needs trl 0.9.6 as a PYTHONPATH overlay with a transformers it imports with
(``scripts/verify.py --overlays`` installs OVERLAY): trl 0.9.6 imports datasets, accelerate and peft, whose
environment releases need a newer huggingface_hub than transformers 4.44 accepts, so they are pinned too.
"""

from types import SimpleNamespace

from kbfix.reproduce import release_within

OVERLAY = ("trl==0.9.6", "transformers==4.44.2", "tokenizers==0.19.1", "huggingface_hub==0.24.7", "datasets==2.21.0",
           "accelerate==0.33.0", "peft==0.12.0")
OVERLAY_WITH_DEPS = ("aiohttp",)   # datasets 2.21 imports it; the environment has none
REQUIRES = ("torch", "transformers", "trl") + (
    () if release_within("trl", (0, 9, 6), (0, 12)) else ("kbfix_requires_trl_0_9_6_to_0_11",))
FIXES = (0,)


def _trainer_like(loss_type):
    # the attributes DPOTrainer.dpo_loss reads (trl 0.9.6 dpo_trainer.py), as a DPOTrainer would hold them
    return SimpleNamespace(accelerator=SimpleNamespace(device="cpu"), reference_free=False,
                           f_divergence_type="reverse_kl", f_divergence_params=None,
                           loss_type=loss_type, beta=0.1, label_smoothing=0.0)


def _loss(loss_type):
    import torch
    from trl import DPOTrainer

    logps = [torch.tensor([-1.0, -2.0]), torch.tensor([-1.5, -2.5]), torch.tensor([-1.2, -2.1]),
             torch.tensor([-1.4, -2.4])]
    return DPOTrainer.dpo_loss(_trainer_like(loss_type), *logps)


def reproduce():
    import tempfile

    from trl import DPOConfig

    try:
        DPOConfig(output_dir=tempfile.mkdtemp(), loss_type="kto_pair")
    except ValueError as error:
        assert "Support for kto_pair has been removed" in str(error), error
    else:
        raise AssertionError("DPOConfig accepted kto_pair; trl must be 0.9.6 or newer")
    # the loss type set on the trainer after the config, as LLaMA-Factory does: the real error is raised here
    _loss("kto_pair")
    raise AssertionError("dpo_loss computed kto_pair; trl must be 0.9.6 or newer")


def fixed():
    import tempfile

    from trl import DPOConfig

    DPOConfig(output_dir=tempfile.mkdtemp(), loss_type="sigmoid")
    losses, chosen, rejected = _loss("sigmoid")
    return f"sigmoid DPO loss {losses.mean().item():.4f}"
