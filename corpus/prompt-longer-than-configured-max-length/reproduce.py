"""verl's RL dataset (``RLHFDataset``) renders each prompt with the tokenizer's chat template and tokenizes it with
``verl.utils.torch_functional.tokenize_and_postprocess_data``; with ``truncation='error'`` (the default since PR #506)
a prompt longer than ``max_prompt_length`` (``data.max_prompt_length``) raises
``NotImplementedError: sequence_length=N is larger than max_length=M`` (verl#544: in a dataloader worker).
Here a parquet file with one short and one long prompt is read by verl 0.3's RLHFDataset with max_prompt_length 16.
fixed() applies fix 0 (a max_prompt_length that fits the longest templated prompt) and fix 1 (drop the long rows with
``filter_overlong_prompts=True``, or cut them with ``truncation='left'``): every row then loads.

RLHFDataset took these options as keyword arguments in verl 0.3 only (0.4 reads them from a config) and its filter
counts ``apply_chat_template``'s ids, which transformers >= 5 returns as a dict: elsewhere the test skips it. The
tokenizer is a tiny word-level one built here, and the dataset a local parquet file (nothing downloads).
"""

import os
import tempfile

from kbfix.reproduce import release_within, word_tokenizer

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# verl imports ray and tensordict (whose 0.6 imports orjson), its dataset omegaconf
OVERLAY = ('verl==0.3.0.post1', 'ray==2.60.0', 'tensordict==0.6.2', 'orjson==3.13.0', 'omegaconf==2.3.0',
           'antlr4-python3-runtime==4.9.3', 'transformers==4.53.3', 'tokenizers==0.21.4', 'huggingface_hub==0.34.4',
           'kernels==0.7.0')
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("torch", "transformers", "tokenizers", "pandas", "pyarrow", "omegaconf", "tensordict", "ray", "verl") + (
    () if release_within("verl", (0, 3), (0, 4)) else ("kbfix_requires_verl_0_3",)) + (
    () if release_within("transformers", (4, 0), (5, 0)) else ("kbfix_requires_transformers_4_x",))
FIXES = (0, 1)

TEMPLATE = ("{% for m in messages %}<|im_start|> {{ m['role'] }} \n {{ m['content'] }} <|im_end|> \n {% endfor %}"
            "{% if add_generation_prompt %}<|im_start|> assistant \n {% endif %}")
SHORT = "What is two plus two ?"
LONG = " ".join(["Natalia sold clips to her friends in April and then she sold half as many clips in May ."] * 3
                + ["How many clips did Natalia sell altogether ?"])


def _dataset(folder, **options):
    import pandas as pd
    from verl.utils.dataset.rl_dataset import RLHFDataset

    tokenizer = word_tokenizer((SHORT + " " + LONG + " <|im_start|> <|im_end|> user assistant").split())
    tokenizer.chat_template = TEMPLATE
    path = os.path.join(folder, "train.parquet")
    rows = [{"data_source": "gsm8k", "prompt": [{"role": "user", "content": text}], "extra_info": {"index": i}}
            for i, text in enumerate((SHORT, LONG))]
    pd.DataFrame(rows).to_parquet(path)
    options.setdefault("max_prompt_length", 16)
    return RLHFDataset(path, tokenizer, cache_dir=os.path.join(folder, "cache"), **options)


def _load(**options):
    """Every row of the dataset, as the trainer's dataloader would ask for them."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as folder:
        dataset = _dataset(folder, **options)
        return [dataset[i] for i in range(len(dataset))]


def reproduce():
    _load()                                    # max_prompt_length 16, truncation 'error' (the default)


def fixed():
    rows = _load(max_prompt_length=128)        # fix 0: a limit that holds the longest templated prompt
    assert len(rows) == 2 and all(len(row["input_ids"]) == 128 for row in rows), rows
    rows = _load(filter_overlong_prompts=True)  # fix 1: drop the prompts over the limit ...
    assert len(rows) == 1 and len(rows[0]["input_ids"]) == 16, rows
    rows = _load(truncation="left")            # ... or cut them to it
    assert len(rows) == 2 and all(len(row["input_ids"]) == 16 for row in rows), rows
