"""A preference dataset (``"ranking": true`` in ``dataset_info.json``: chosen / rejected pairs) named in an SFT run.
LLaMA-Factory's ``_get_merged_dataset`` compares each dataset's ``ranking`` flag with the stage the workflow loads for
(``rm`` for the rm / dpo / orpo / simpo stages, ``sft``, ``pt``, ``ppo``, ``kto`` for the others) and raises its real
``ValueError: The dataset is not applicable in the current training stage.`` before reading any file.
fixed() applies fix 0 (the pairs loaded for the preference stage: DPO and RM load with stage ``rm``) and fix 1 (an
SFT run given an SFT dataset, registered without ``ranking``): both pass the check and the tiny local file loads.

The dataset files are tiny JSON files in a temporary folder. Verified in the LLaMA-Factory 0.9.3 overlay
(``LLAMAFACTORY_OVERLAY``: LLaMA-Factory refuses other dependency releases at import); skipped elsewhere.
"""

import json
import os
import tempfile

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, llamafactory_requires

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = LLAMAFACTORY_OVERLAY
# llamafactory >= 0.8 (the package name since; the check in data/loader.py _get_merged_dataset); verified with 0.9.3
REQUIRES = llamafactory_requires(("torch", "transformers", "datasets", "peft", "trl", "llamafactory"), (0, 8), (4, 41))
FIXES = (0, 1)

PAIRS = {"file_name": "pairs.json", "ranking": True,
         "columns": {"prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected"}}
SFT = {"file_name": "sft.json", "columns": {"prompt": "instruction", "query": "input", "response": "output"}}


def _data_dir():
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "dataset_info.json"), "w", encoding="utf-8") as f:
        json.dump({"my_pairs": PAIRS, "my_sft": SFT}, f)
    with open(os.path.join(folder, "pairs.json"), "w", encoding="utf-8") as f:
        json.dump([{"instruction": "Say hi.", "input": "", "chosen": "Hi!", "rejected": "No."}] * 4, f)
    with open(os.path.join(folder, "sft.json"), "w", encoding="utf-8") as f:
        json.dump([{"instruction": "Say hi.", "input": "", "output": "Hi!"}] * 4, f)
    return folder


def _merged(dataset, stage):
    """LLaMA-Factory's own loading of the config's datasets for the stage the workflow passes."""
    from transformers import Seq2SeqTrainingArguments

    from llamafactory.data.loader import _get_merged_dataset
    from llamafactory.hparams import DataArguments, ModelArguments

    os.environ["HF_HUB_OFFLINE"] = "1"
    folder = _data_dir()
    model_args = ModelArguments(model_name_or_path="unused-no-model-is-loaded")
    data_args = DataArguments(dataset=dataset, dataset_dir=folder, preprocessing_num_workers=None)
    training_args = Seq2SeqTrainingArguments(output_dir=tempfile.mkdtemp(), report_to="none")
    return _get_merged_dataset(data_args.dataset, model_args, data_args, training_args, stage)


def reproduce():
    _merged("my_pairs", "sft")                 # stage: sft with a ranking dataset


def fixed():
    # fix 0: the pairs go to the preference stage (stage: dpo / rm load with "rm")
    pairs = _merged("my_pairs", "rm")
    assert len(pairs) == 4 and len(pairs[0]["_response"]) == 2, pairs[0]
    # fix 1: the SFT run gets an SFT dataset (no "ranking": true)
    sft = _merged("my_sft", "sft")
    assert len(sft) == 4 and len(sft[0]["_response"]) == 1, sft[0]
