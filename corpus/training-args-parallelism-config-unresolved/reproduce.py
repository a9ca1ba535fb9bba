"""transformers 4.56.x under an accelerate older than 1.10.1: HfArgumentParser(TrainingArguments) fails.

transformers 4.56.0-4.56.2 annotate ``TrainingArguments.parallelism_config`` with the string ``"ParallelismConfig"``
and import that class only from accelerate 1.10.1 on; ``HfArgumentParser`` resolves the annotations with
``typing.get_type_hints``, which raises ``NameError: name 'ParallelismConfig' is not defined``, reported as
``RuntimeError: Type resolution failed for <class 'transformers.training_args.TrainingArguments'>``.

It needs transformers 4.56.x and accelerate 1.9.0 in front of the environment as an overlay (``OVERLAY``, installed
by ``scripts/verify.py --overlays``), with a newer accelerate (>= 1.11) behind it. Elsewhere REQUIRES names what is
missing and the test skips it. reproduce() parses TrainingArguments and a TRL-style subclass in a fresh interpreter.
fixed() applies fix 0, the accelerate upgrade and nothing else: the same transformers 4.56.1 from the overlay, with
the environment's newer accelerate (package and metadata) placed in front of the overlay's old one.
"""

from kbfix.reproduce import older_in_front, release_within, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("transformers==4.56.1", "tokenizers==0.22.0", "huggingface_hub==0.34.4", "accelerate==1.9.0")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
TRANSFORMERS_456 = "kbfix_requires_transformers_4_56_x_as_overlay"
OLD_ACCELERATE = "kbfix_requires_accelerate_older_than_1_10_in_front_of_a_newer_one"
REQUIRES = ("transformers", "accelerate") + (
    () if release_within("transformers", (4, 56), (4, 57)) else (TRANSFORMERS_456,)) + (
    () if older_in_front("accelerate", (1, 11)) else (OLD_ACCELERATE,))
FIXES = (0,)

SCRIPT = r'''
import glob, os, sys, tempfile
old = sys.argv[1]
if old:                      # fix 0: the newer accelerate of the environment in front of the overlay's old one
    newer = [p for p in sys.path if p and os.path.isdir(p) and os.path.realpath(p) != old
             and glob.glob(os.path.join(p, "accelerate-*.dist-info"))][0]
    front = tempfile.mkdtemp()
    for name in ["accelerate"] + [os.path.basename(d) for d in glob.glob(os.path.join(newer, "accelerate-*.dist-info"))]:
        os.symlink(os.path.join(newer, name), os.path.join(front, name))
    sys.path.insert(0, front)
import dataclasses
import accelerate, transformers
from transformers import HfArgumentParser, TrainingArguments
print("transformers", transformers.__version__, "accelerate", accelerate.__version__, flush=True)

@dataclasses.dataclass
class SFTConfig(TrainingArguments):        # a trainer config as TRL writes them
    max_length: int = 1024

parser = HfArgumentParser((TrainingArguments,))
parser = HfArgumentParser((SFTConfig,))
args, = parser.parse_args_into_dataclasses(args=["--output_dir", tempfile.mkdtemp(), "--report_to", "none"])
print("parsed", type(args).__name__, "max_length", args.max_length, flush=True)
'''


def _run(old=""):
    return run_script(SCRIPT, args=(old,), env={"HF_HUB_OFFLINE": "1"}, timeout=300)


def reproduce():
    code, output = _run()
    assert code != 0, "HfArgumentParser(TrainingArguments) parsed; it needs transformers 4.56.x with accelerate < 1.10.1\n" + output
    assert "Type resolution failed for" in output and "ParallelismConfig" in output, output
    return output


def fixed():
    return succeeded(_run(older_in_front("accelerate", (1, 11)) or ""), "parsed SFTConfig max_length 1024")
