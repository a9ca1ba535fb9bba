"""`from peft import Loraconfig`: no PEFT release has that name (the class is LoraConfig)."""

REQUIRES = ("peft",)
FIXES = (0,)


def reproduce():
    from peft import Loraconfig  # noqa: F401


def fixed():
    from peft import LoraConfig

    assert LoraConfig(r=4).r == 4
