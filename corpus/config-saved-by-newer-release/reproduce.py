"""An adapter_config.json written by a PEFT release newer than the installed one: the installed PEFT warns
that it ignores the keys it does not know."""

import json
import tempfile
from pathlib import Path

REQUIRES = ("peft",)
FIXES = (1,)
FUTURE_KEY = "kbfix_future_option"  # a key no installed PEFT release knows


def _adapter(with_future_key: bool) -> str:
    from peft import LoraConfig

    folder = Path(tempfile.mkdtemp())
    LoraConfig(r=4, target_modules=["q_proj"]).save_pretrained(folder)
    if with_future_key:
        path = folder / "adapter_config.json"
        config = json.loads(path.read_text())
        config[FUTURE_KEY] = None
        path.write_text(json.dumps(config, indent=2))
    return str(folder)


def reproduce():
    from peft import PeftConfig

    PeftConfig.from_pretrained(_adapter(with_future_key=True))  # warns: Unexpected keyword arguments [...]


def fixed():
    from peft import PeftConfig

    folder = _adapter(with_future_key=True)
    path = Path(folder) / "adapter_config.json"
    config = json.loads(path.read_text())
    config.pop(FUTURE_KEY, None)  # fix 1: drop the key the installed release does not know (it held its default)
    path.write_text(json.dumps(config, indent=2))
    assert PeftConfig.from_pretrained(folder).r == 4
