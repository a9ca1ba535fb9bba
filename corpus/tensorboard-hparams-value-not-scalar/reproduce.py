"""A training script's arguments (``vars(args)``, with ``--adam_betas 0.9 0.999`` parsed as a list) passed as the run's
configuration to ``accelerator.init_trackers`` with TensorBoard as the tracker (``log_with="tensorboard"``).

reproduce(): accelerate's ``TensorBoardTracker.store_init_configuration`` hands the dict to
``SummaryWriter.add_hparams``; torch's ``torch.utils.tensorboard.summary.hparams`` accepts only int, float, str, bool,
torch.Tensor (and skips None) and raises ``ValueError: value should be one of int, float, str, bool, or
torch.Tensor`` for the list.
fixed(): fix 0: the same arguments with every value that is not a scalar turned into its string before
``init_trackers``; the tracker starts, one loss is logged and the run ends.

Both run in a child process (accelerate's state is process-wide). tensorboard is not a dependency of kbfix's test
environment: where it is missing, REQUIRES names it and the test skips this entry; ``scripts/verify.py --overlays``
installs the release below (tensorboard alone: torch.utils.tensorboard needs only it and protobuf, which is there).
"""

from kbfix.reproduce import failed, run_script, succeeded

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("tensorboard==2.20.0",)
REQUIRES = ("torch", "accelerate", "tensorboard")
FIXES = (0,)

SCRIPT = r'''
import argparse, os, tempfile
import torch
from accelerate import Accelerator

parser = argparse.ArgumentParser()
parser.add_argument("--learning_rate", type=float, default=1e-4)
parser.add_argument("--adam_betas", type=float, nargs=2, default=[0.9, 0.999])
parser.add_argument("--resume_from_checkpoint", default=None)
parser.add_argument("--mixed_precision", default="no")
args = parser.parse_args(["--adam_betas", "0.9", "0.95"])

accelerator = Accelerator(log_with="tensorboard", project_dir=tempfile.mkdtemp(), cpu=True)
config = vars(args)
if SANITIZE:
    config = {k: v if v is None or isinstance(v, (int, float, str, bool, torch.Tensor)) else str(v)
              for k, v in config.items()}
accelerator.init_trackers("finetune", config=config)
accelerator.log({"train_loss": 1.25}, step=1)
accelerator.end_training()
print("trackers started with", sorted(config))
'''


def reproduce():
    return failed(run_script(SCRIPT.replace("SANITIZE", "False"), timeout=300))


def fixed():
    return succeeded(run_script(SCRIPT.replace("SANITIZE", "True"), timeout=300), "trackers started with")
