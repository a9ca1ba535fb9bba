"""A fast tokenizer (a WordLevel model built locally, no download) encodes a batch in the main process, which
runs its Rayon thread pool; then two DataLoader workers are forked (multiprocessing_context="fork") and tokenize
each item. In each worker tokenizers' pthread_atfork handler switches parallelism off and prints "huggingface/
tokenizers: The current process just got forked, after parallelism has already been used. Disabling parallelism
to avoid deadlocks...". reproduce() returns what the terminal shows.

fixed() checks that the run with the notice is harmless (fix 0: the ids from the workers equal the ones tokenized
in one process) and runs it again with TOKENIZERS_PARALLELISM=false (fix 1: no notice).

Only tokenizers 0.8.1 to 0.22.1 print the notice (0.22.2 removed it, tokenizers#1898); with any other release
the test is skipped.
"""

from kbfix.reproduce import release_within, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('tokenizers==0.22.1',)
REQUIRES = ("tokenizers", "torch")
FIXES = (0, 1)


# this module is never installed: it stands for "a tokenizers release that prints the notice (0.8.1-0.22.1)"
REQUIRES = REQUIRES + (() if release_within("tokenizers", (0, 8, 1), (0, 22, 2))
                       else ("kbfix_requires_tokenizers_0_8_1_to_0_22_1",))

NOTICE = "The current process just got forked"

SCRIPT = '''
import torch
from torch.utils.data import DataLoader, Dataset
from tokenizers import Tokenizer, models, pre_tokenizers

words = ["[UNK]", "the", "model", "is", "training", "on", "a", "batch", "of", "text"]
tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
texts = [" ".join(words[1 + (i + j) % 9] for j in range(6)) for i in range(64)]

# preprocessing in the main process: a batch encode runs on the thread pool ("parallelism has already been used")
expected = [e.ids for e in tokenizer.encode_batch(texts)]


class Texts(Dataset):
    def __len__(self):
        return len(texts)

    def __getitem__(self, i):
        return torch.tensor(tokenizer.encode(texts[i]).ids)   # tokenized again in the forked worker


loader = DataLoader(Texts(), batch_size=None, num_workers=2, multiprocessing_context="fork")
got = [item.tolist() for item in loader]
assert got == expected, "worker ids differ"
print("workers tokenized", len(got), "items, ids identical to the main process")
'''


def _run(env=None):
    from kbfix.reproduce import run_script

    return run_script(SCRIPT, env=env, unset=("TOKENIZERS_PARALLELISM",), timeout=180)


def reproduce():
    return succeeded(_run(), NOTICE)


def fixed():
    # fix 0: nothing to fix, the run with the notice finished and the workers' ids are right
    succeeded(_run(), "ids identical")
    # fix 1: TOKENIZERS_PARALLELISM=false before the fork: same ids, no notice
    code, quiet = _run({"TOKENIZERS_PARALLELISM": "false"})
    assert code == 0 and "ids identical" in quiet and NOTICE not in quiet, quiet
    return quiet
