"""A local checkpoint whose config.json points (auto_map) at its own configuration code."""

import json
import os
import tempfile

REQUIRES = ("transformers",)
FIXES = (0,)

CONFIG_CODE = '''
from transformers import PretrainedConfig


class ToyChatConfig(PretrainedConfig):
    model_type = "toychat"

    def __init__(self, hidden_size=16, **kwargs):
        self.hidden_size = hidden_size
        super().__init__(**kwargs)
'''


def _checkpoint():
    folder = tempfile.mkdtemp(prefix="toychat-7b-")
    with open(os.path.join(folder, "configuration_toychat.py"), "w") as f:
        f.write(CONFIG_CODE)
    config = {
        "model_type": "toychat",
        "architectures": ["ToyChatForCausalLM"],
        "auto_map": {"AutoConfig": "configuration_toychat.ToyChatConfig"},
        "hidden_size": 16,
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    return folder


def reproduce():
    from transformers import AutoConfig

    # Frameworks pass the flag explicitly (LLaMA-Factory's default is trust_remote_code: false).
    AutoConfig.from_pretrained(_checkpoint(), trust_remote_code=False)


def fixed():
    from transformers import AutoConfig

    folder = _checkpoint()
    # We wrote configuration_toychat.py ourselves, so running it is fine: the fix is only safe after
    # reading the repository's *.py files.
    config = AutoConfig.from_pretrained(folder, trust_remote_code=True)
    assert type(config).__name__ == "ToyChatConfig" and config.hidden_size == 16
