"""Texts and helpers shared by the terminal UI tests."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
CASES = ROOT / "corpus" / "no-trainable-parameters" / "cases"
EMPTY_LIST = (CASES / "match-torch-empty-list.txt").read_text(encoding="utf-8")
ZERO2 = (CASES / "match-llamafactory-deepspeed-zero2.txt").read_text(encoding="utf-8")
# An ordinary web-app error: nothing to do with fine-tuning, so kbfix must not claim a cause.
OUT_OF_SCOPE = """\
Traceback (most recent call last):
  File "/srv/shop/app/views.py", line 41, in checkout
    total = sum(item.price for item in cart.items)
  File "/srv/shop/app/models.py", line 88, in items
    return self.session["cart"]
KeyError: 'cart'
"""
ALL_FROZEN = """\
model_name_or_path: Qwen/Qwen2-VL-7B-Instruct
stage: sft
do_train: true
finetuning_type: full
freeze_vision_tower: true
freeze_multi_modal_projector: true
freeze_language_model: true
template: qwen2_vl
"""


async def settle(pilot) -> None:
    """Wait until the engine is loaded and every diagnosis, read and inspection has been shown."""
    app = pilot.app
    for _ in range(600):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.busy:
            return
        await pilot.pause(0.05)
    raise AssertionError("the UI did not settle")


def pilot_test(test):
    """Run an ``async def`` Pilot test in its own event loop: no pytest async plugin needed."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def record_notifications(app) -> list[str]:
    """The messages of every notification ``app`` shows from now on, read through its public
    ``notify`` (not Textual's private notification store)."""
    seen: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        seen.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return seen
