"""Pass a DeepSpeed config path that does not exist from the working folder, as a launch script run elsewhere does."""

REQUIRES = ("accelerate",)
FIXES = (0,)


def _config(config_file_or_dict):
    from accelerate.utils.deepspeed import HfDeepSpeedConfig

    return HfDeepSpeedConfig(config_file_or_dict)


def reproduce():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "scripts"))
        with open(os.path.join(root, "scripts", "zero2.json"), "w", encoding="utf-8") as f:
            f.write('{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": "auto"}')
        cwd = os.getcwd()
        os.chdir(os.path.join(root, "scripts"))  # the script's own folder, not the repository root
        try:
            _config("scripts/zero2.json")  # relative to the repository root, as the launch script says
        finally:
            os.chdir(cwd)


def fixed():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "scripts"))
        path = os.path.join(root, "scripts", "zero2.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": "auto"}')
        config = _config(os.path.abspath(path))  # an absolute path works from any folder
        assert config.get_value("zero_optimization.stage") == 2
