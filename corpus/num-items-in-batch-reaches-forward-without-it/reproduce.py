"""Train a tiny custom model whose forward(**kwargs) hands its kwargs to a torch backbone."""

import tempfile

REQUIRES = ("torch", "transformers", "accelerate", "datasets")
FIXES = (0, 1)


def _model(accepts_loss_kwargs=None, take_count=False):
    import torch
    from torch import nn
    from transformers import PretrainedConfig, PreTrainedModel
    from transformers.modeling_outputs import CausalLMOutput

    class Backbone(nn.Module):
        """A plain torch encoder: its forward names exactly what it takes."""

        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(32, 8)

        def forward(self, input_ids, attention_mask=None):
            return self.embed(input_ids)

    Backbone.__qualname__ = "Backbone"
    Backbone.forward.__qualname__ = "Backbone.forward"  # as if defined at module level, like a user's model file

    class TinyConfig(PretrainedConfig):
        model_type = "tiny-wrapper"

    class TinyWrapper(PreTrainedModel):
        config_class = TinyConfig

        def __init__(self, config):
            super().__init__(config)
            self.backbone = Backbone()
            self.head = nn.Linear(8, 32)
            self.post_init()

        def forward(self, input_ids, attention_mask=None, labels=None, **kwargs):
            num_items_in_batch = kwargs.pop("num_items_in_batch", None) if take_count else None  # fix 1
            hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
            logits = self.head(hidden)
            loss = None
            if labels is not None and num_items_in_batch is not None:
                # the Trainer no longer divides by the accumulation steps: normalise by the count it passed
                loss = nn.functional.cross_entropy(logits.view(-1, 32), labels.view(-1), reduction="sum")
                loss = loss / num_items_in_batch
            elif labels is not None:
                loss = nn.functional.cross_entropy(logits.view(-1, 32), labels.view(-1))
            return CausalLMOutput(loss=loss, logits=logits)

    if accepts_loss_kwargs is not None:
        TinyWrapper.accepts_loss_kwargs = accepts_loss_kwargs  # fix 0
    torch.manual_seed(0)
    return TinyWrapper(TinyConfig())


def _train(model):
    from datasets import Dataset
    from transformers import Trainer, TrainingArguments

    rows = Dataset.from_dict({"input_ids": [[1, 2, 3, 4]] * 8, "labels": [[2, 3, 4, 5]] * 8})
    args = TrainingArguments(output_dir=tempfile.mkdtemp(), max_steps=1, per_device_train_batch_size=2,
                             gradient_accumulation_steps=2, report_to="none", use_cpu=True,
                             save_strategy="no", logging_strategy="no", disable_tqdm=True)
    return Trainer(model=model, args=args, train_dataset=rows).train()


def reproduce():
    _train(_model())


def fixed():
    # fix 0: the class says it takes no loss kwargs, so the Trainer does not add num_items_in_batch
    _train(_model(accepts_loss_kwargs=False))
    # fix 1: forward takes the count itself (normalises its loss by it) and does not pass it on
    _train(_model(take_count=True))
