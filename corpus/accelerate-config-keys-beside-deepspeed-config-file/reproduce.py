"""accelerate's own launch path on the CPU, without spawning the processes: `accelerate launch --config_file` reads an
accelerate YAML whose deepspeed_config section names a deepspeed_config_file and also zero_stage and
gradient_accumulation_steps (and a top-level mixed_precision); launch hands those key names to the training process in
ACCELERATE_CONFIG_DS_FIELDS, and the DeepSpeedPlugin the process builds refuses them with the real ValueError.

fixed() applies fix 0: the same YAML with only deepspeed_config_file and zero3_init_flag left in deepspeed_config and
no mixed_precision (the JSON decides both); the plugin is built and reads ZeRO stage 2 from the JSON.
"""

import json
import os
import tempfile

REQUIRES = ("accelerate", "deepspeed", "yaml")
FIXES = (0,)


def _plugin(extra_keys):
    import yaml
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils import DeepSpeedPlugin
    from accelerate.utils.launch import prepare_deepspeed_cmd_env

    folder = tempfile.mkdtemp()
    ds_json = os.path.join(folder, "ds_config.json")
    with open(ds_json, "w") as f:
        json.dump({"zero_optimization": {"stage": 2}, "bf16": {"enabled": "auto"},
                   "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto"}, f)
    config = {"compute_environment": "LOCAL_MACHINE", "distributed_type": "DEEPSPEED", "num_machines": 1,
              "num_processes": 1, "machine_rank": 0, "use_cpu": False,
              "deepspeed_config": {"deepspeed_config_file": ds_json, "zero3_init_flag": False}}
    if extra_keys:  # what an older `accelerate config` run left behind, or keys added by hand
        config["deepspeed_config"].update({"zero_stage": 2, "gradient_accumulation_steps": 4, "offload_optimizer_device": "none"})
        config["mixed_precision"] = "bf16"
    config_file = os.path.join(folder, "accelerate_config.yaml")
    with open(config_file, "w") as f:
        yaml.safe_dump(config, f)

    # accelerate/commands/launch.py launch_command, up to the point where it starts the DeepSpeed launcher
    args = launch_command_parser().parse_args(["--config_file", config_file, "train.py"])
    args, defaults, mp_from_config_flag = _validate_launch_command(args)
    fields = list(defaults.deepspeed_config.keys()) if defaults else []
    if mp_from_config_flag:
        fields.append("mixed_precision")
    args.deepspeed_fields_from_accelerate_config = ",".join(fields)
    _, env = prepare_deepspeed_cmd_env(args)

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("ACCELERATE_")})
    try:  # what Accelerator() in the training process builds from that environment
        return DeepSpeedPlugin()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def reproduce():
    _plugin(extra_keys=True)


def fixed():
    plugin = _plugin(extra_keys=False)
    stage = plugin.deepspeed_config["zero_optimization"]["stage"]
    assert stage == 2, stage
    return f"DeepSpeedPlugin built from the JSON alone: ZeRO stage {stage}\n"
