"""Parse a launch command line with torchrun's real argument parser (torch.distributed.run.parse_args, the
function the `torchrun` entry point calls), on the CPU, without starting any process.

reproduce(): `torchrun --lr=1e-4 --num_processes=2 train.py` gives torchrun the script's own --lr before the
script and accelerate's name for the process count: argparse prints the usage line and
`torchrun: error: unrecognized arguments: --lr=1e-4 --num_processes=2` and exits with status 2; the printed text
is returned.
fixed(): torchrun's own option (fix 0: --nproc_per_node, as `torchrun --help` lists it) and the script's option
moved after the script (fix 2): the same parser accepts the line, and --lr reaches the script's arguments.
"""

REQUIRES = ("torch",)
FIXES = (0, 2)


def _parse(argv):
    """Run torchrun's parser on argv with prog 'torchrun'; return (exit status or None, stderr, namespace)."""
    import contextlib
    import io
    import sys

    from torch.distributed.run import parse_args

    err = io.StringIO()
    saved = sys.argv
    sys.argv = ["torchrun", *argv]  # the entry point's argv[0] becomes argparse's prog, as on a terminal
    try:
        with contextlib.redirect_stderr(err):
            try:
                return None, err.getvalue(), parse_args(argv)
            except SystemExit as exit:
                return exit.code, err.getvalue(), None
    finally:
        sys.argv = saved


def reproduce():
    code, text, _ = _parse(["--lr=1e-4", "--num_processes=2", "train.py"])
    assert code == 2 and "unrecognized arguments: --lr=1e-4 --num_processes=2" in text, text
    return text


def fixed():
    code, text, args = _parse(["--nproc_per_node", "2", "train.py", "--lr", "1e-4"])
    assert code is None, text
    assert args.nproc_per_node == "2" and args.training_script == "train.py", args
    assert args.training_script_args == ["--lr", "1e-4"], args
    return (f"torchrun: nproc_per_node={args.nproc_per_node} training_script={args.training_script} "
            f"training_script_args={args.training_script_args}")
