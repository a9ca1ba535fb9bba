"""Introspection probes: each reads one kind of fact off the user's artifacts or live objects.

A probe is a module with ``applies(target) -> bool``, ``run(target) -> list[Finding]`` and
``ENTRIES``, the corpus entries its findings may support or refute; ``PROBES`` lists them all,
explicitly. A probe that fails, or speaks to an entry it did not declare, becomes a finding with
``error`` set, never silence. A probe that meets a :class:`~kbfix.artifacts.refuse.Refusal` (a file
not read, a config not built, a check that needs an extra) gives the finding the refusal describes.
No probe imports torch or transformers at module level. What probes read artifacts with lives in
:mod:`kbfix.artifacts`.
"""

from __future__ import annotations

from kbfix.model import Finding, Text

from . import (
    adapter_base,
    adapter_only,
    adapter_targets,
    adapter_tied_head,
    checkpoint_keys,
    cnclip,
    environment,
    grad_checkpointing,
    live_input_grads,
    live_params,
    live_tied_head,
    orbax,
    precision,
    shards,
    trainable,
    weights_readable,
    zero3,
)
from kbfix.artifacts.refuse import Refusal, error_line
from kbfix.artifacts.target import Target, detect, of_object

PROBES = (
    weights_readable,
    shards,
    checkpoint_keys,
    cnclip,
    adapter_tied_head,
    adapter_targets,
    adapter_base,
    adapter_only,
    trainable,
    precision,
    zero3,
    grad_checkpointing,
    environment,
    orbax,
    live_params,
    live_tied_head,
    live_input_grads,
)

__all__ = ["PROBES", "Target", "detect", "error_line", "of_object", "probe_name", "run"]


def probe_name(probe) -> str:
    return probe.__name__.rsplit(".", 1)[-1]


def run(target: Target, probes=PROBES) -> list[Finding]:
    """Every applicable probe's findings for ``target``; a probe that raises yields an error finding."""
    findings: list[Finding] = []
    for probe in probes:
        try:
            if probe.applies(target):
                found = probe.run(target)
                undeclared = sorted({e for f in found for e in (*f.supports, *f.refutes)} - set(probe.ENTRIES))
                if undeclared:
                    raise ValueError(f"findings for undeclared entries {undeclared}; add them to ENTRIES")
                findings += found
        except Refusal as refusal:
            findings.append(refusal.finding(target.subject))
        except Exception as exc:  # noqa: BLE001 - a failing probe is reported, never silent
            findings.append(Finding(
                "probe-failed", target.subject,
                Text(f"the {probe_name(probe)} probe could not finish", f"{probe_name(probe)} 探针未能完成检查"),
                {"probe": probe_name(probe)}, error=error_line(exc)))
    return findings
