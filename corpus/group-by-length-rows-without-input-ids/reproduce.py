"""group_by_length over DPO-style rows (prompt/chosen/rejected_input_ids, no input_ids): LengthGroupedSampler raises.

A tiny GPT-2 and a two-row preference dataset go to a transformers Trainer with length grouping on
(``train_sampling_strategy="group_by_length"`` in transformers 5, ``group_by_length=True`` before), and the train data
loader is built, as Trainer.train does first. fixed() builds it with grouping off (fix 0) and with grouping kept through
a precomputed ``length`` column (fix 1).
"""

import tempfile

REQUIRES = ("torch", "transformers", "datasets")
FIXES = (0, 1)

ROWS = {
    "prompt_input_ids": [[1, 2], [1, 2, 3], [4, 5, 6, 7]],
    "chosen_input_ids": [[1, 2, 3], [1, 2, 3, 4], [4, 5]],
    "rejected_input_ids": [[1, 4], [1, 5, 6], [4]],
}


def _loader(grouped, with_length=False):
    import inspect

    from datasets import Dataset
    from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments

    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=8, vocab_size=32, n_positions=16,
                                       bos_token_id=0, eos_token_id=0))
    dataset = Dataset.from_dict(ROWS)
    if with_length:
        dataset = dataset.map(lambda row: {"length": len(row["chosen_input_ids"]) + len(row["rejected_input_ids"])})
    params = inspect.signature(TrainingArguments).parameters
    if "train_sampling_strategy" in params:
        sampling = {"train_sampling_strategy": "group_by_length" if grouped else "random"}
    else:
        sampling = {"group_by_length": grouped}
    args = TrainingArguments(output_dir=tempfile.mkdtemp(), per_device_train_batch_size=1, report_to=[],
                             use_cpu=True, remove_unused_columns=False, **sampling)
    trainer = Trainer(model=model, args=args, train_dataset=dataset)
    trainer.get_train_dataloader()
    return trainer


def reproduce():
    _loader(grouped=True)


def fixed():
    _loader(grouped=False)
    trainer = _loader(grouped=True, with_length=True)
    assert list(trainer._get_train_sampler().lengths) == [5, 7, 3]  # grouping kept, by the length column
