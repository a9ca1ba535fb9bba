"""Facts about how a run was launched, read from the command lines and settings in a paste.

- ``ranks_exceed_gpus``: the launch asks for more processes per node than the GPUs it lets them see
  (``CUDA_VISIBLE_DEVICES=1,2 torchrun --nproc_per_node=4 ...``, ``--num_processes``, ``--num_gpus``):
  the rank numbered past the last visible GPU asks for a device that does not exist ("invalid device
  ordinal"). Captures ``ranks``, ``visible`` and ``devices`` for the fix text.

Corpus signatures require them with ``facts = [...]``, like the key-list and version facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FACTS = ("ranks_exceed_gpus",)

# the setting in effect for a command: an inline prefix, an export, a Python or YAML assignment
VISIBLE_RE = re.compile(r"CUDA_VISIBLE_DEVICES['\"]?\s*[=:]\s*['\"]?(?P<ids>\d{1,3}(?:\s*,\s*\d{1,3}){0,63})")
RANKS_RE = re.compile(r"--(?:nproc[_-]per[_-]node|num[_-]processes|num[_-]gpus)(?:\s*=\s*|\s+)(?P<n>\d{1,4})\b")


@dataclass
class LaunchFacts:
    """What a log says about how the run was launched, by fact name."""

    found: dict[str, dict[str, str]] = field(default_factory=dict)

    def holds(self, name: str) -> bool:
        return name in self.found


def analyse(text: str) -> LaunchFacts:
    """The launch facts of one log (``text`` is already bounded by the caller)."""
    facts = LaunchFacts()
    settings = iter(VISIBLE_RE.finditer(text))
    setting, upcoming = None, next(settings, None)
    if upcoming is None:
        return facts
    for launch in RANKS_RE.finditer(text):  # both in text order: one pass over each (linear in the log)
        while upcoming is not None and upcoming.start() < launch.start():
            setting, upcoming = upcoming, next(settings, None)
        if setting is None:
            continue
        devices = [d.strip() for d in setting.group("ids").split(",") if d.strip()]
        ranks = int(launch.group("n"))
        if ranks > len(devices):
            facts.found["ranks_exceed_gpus"] = {"ranks": str(ranks), "visible": str(len(devices)),
                                                "devices": ",".join(devices)}
            break
    return facts
