"""Paste variations: the general forms in which people paste an error, applied to a known paste.

Each transformation takes a paste and returns it as a user might have pasted it instead, or None
when it does not apply (nothing to drop, nothing to cut). Used by the tests (every ``match`` case
keeps its entry first in every form), by ``scripts/evaluate.py --paste-forms`` (the confident share
per form) and by ``scripts/calibrate.py`` (calibration rows in every form). Deterministic: a
variation depends only on the text and the transformation's name.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable

from kbfix import traceback as tb
from kbfix.engine.candidates import is_generic_cascade

HEADER_RE = re.compile(r"^.*Traceback \(most recent call last\):?\s*$")
PREFIXES = (
    "ERROR 01-02 03:04:05 [engine.py:123] ",
    "(RayWorkerWrapper pid=12345) ",
    "[rank1]: ",
    "2024-01-02 03:04:05.678 | ERROR    | __main__:main:42 - ",
    "2024-05-06 07:08:09,123 - ERROR - trainer - ",
    "worker-0: ",   # DeepSpeed's pdsh launcher: learned from the traceback's lines, no pattern names it
    "vllm-1  | ",   # docker compose
)
ENV_DUMP = """
- `transformers` version: 4.46.3
- Platform: Linux-5.15.0-105-generic-x86_64-with-glibc2.35
- Python version: 3.10.14
- PyTorch version (GPU?): 2.4.0+cu121 (True)
Requirement already satisfied: peft in ./venv/lib/python3.10/site-packages (0.13.2)
Who can help? 请问这个怎么解决？
"""


def _seed(text: str, name: str) -> int:
    return int(hashlib.sha1(f"{name}\0{text}".encode()).hexdigest()[:8], 16)


def _final_exception(lines: list[str]):
    """The last exception the parser finds (not a warning), if any."""
    log = tb.parse("\n".join(lines))
    traces = [t for t in log.traces if t.final.type and not t.final.type.endswith("Warning")]
    return traces[-1].final if traces else None


def _final_exception_line(lines: list[str]) -> int | None:
    """Index (in ``lines``) of the last exception line the parser finds, if any."""
    final = _final_exception(lines)
    return final.line if final else None


def _split_prefix(line: str) -> tuple[str, str]:
    """A log line's prefixes ("[rank0]: ", a timestamp and level ...) and the rest."""
    end = 0
    for _ in range(4):
        rest = line[end:]
        match = tb.RANK_RE.match(rest) or tb.FOREIGN_PREFIX_RE.match(rest) or tb.LOG_PREFIX_RE.match(rest)
        if not match or match.end() == 0:
            break
        end += match.end()
    return line[:end], line[end:]


def drop_header(text: str) -> str | None:
    lines = text.split("\n")
    kept = [line for line in lines if not HEADER_RE.match(line)]
    return "\n".join(kept) if len(kept) < len(lines) else None


def drop_exception_line(text: str) -> str | None:
    """Only the message body: the exception line goes, its continuation lines stay (a list of
    ``size mismatch`` lines, ``Missing key(s)`` ...). Applies to messages that continue over at least
    three lines, where the body, not the first line, says what went wrong."""
    lines = text.split("\n")
    final = _final_exception(lines)
    if final is None or len([part for part in final.message.split("\n") if part.strip()]) < 4:
        return None
    return "\n".join(lines[:final.line] + lines[final.line + 1:])


def glue_zh_prose(text: str) -> str | None:
    lines = text.split("\n")
    at = _final_exception_line(lines)
    if at is None:
        return None
    prefix, rest = _split_prefix(lines[at])
    lines[at] = prefix + "运行时报错" + rest.lstrip()
    return "训练的时候报错了，错误信息如下：\n" + "\n".join(lines) + "\n请问这个怎么解决？"


def markdown(text: str) -> str | None:
    lines = text.split("\n")
    at = _final_exception_line(lines)
    if at is None:
        return "I get this error:\n```\n" + text.strip("\n") + "\n```\nAny idea?"
    prefix, rest = _split_prefix(lines[at])
    lines[at] = prefix + "**" + rest.strip() + "**"
    return "I get this error when I run the training script:\n\n" + "\n".join(lines) + "\n\nAny idea?"


def rendered_markdown(text: str) -> str | None:
    """Copied from the rendered page rather than the post's source: Markdown showed `names` as code
    and fences as boxes, so the backticks are gone (fence lines with them)."""
    if "`" not in text:
        return None
    lines = [line for line in text.split("\n") if not tb.FENCE_RE.match(line)]
    return "\n".join(lines).replace("`", "")


def quoted(text: str) -> str | None:
    return "> " + "\n> ".join(text.strip("\n").split("\n"))


def truncate_mid_line(text: str) -> str | None:
    """Cut inside the error's message, in its last long line: the excerpt or the terminal ended there
    (what comes after it is gone). A message too short to cut without losing it is left alone."""
    lines = text.rstrip("\n").split("\n")
    final = _final_exception(lines)
    if final is None:
        return None
    last = min(len(lines) - 1, final.line + final.message.count("\n"))
    for i in range(last, final.line - 1, -1):
        if len(lines[i].strip()) >= 60:
            keep = max(40, int(len(lines[i]) * 0.7))
            return "\n".join(lines[:i] + [lines[i][:keep]])
    return None


def first_lines_of_list(text: str) -> str | None:
    """Only the first few of many repeated lines (a long list of keys or mismatches)."""
    lines = text.split("\n")
    shapes = [re.sub(r"[\w.]*\d[\w.]*", "0", line.strip())[:40] for line in lines]
    for i in range(len(lines) - 5):
        if shapes[i] and shapes[i] == shapes[i + 1] == shapes[i + 2] == shapes[i + 3]:
            j = i
            while j < len(lines) and shapes[j] == shapes[i]:
                j += 1
            if j - i >= 5:
                return "\n".join(lines[:i + 3] + ["..."] + lines[j:])
    return None


def foreign_prefix(text: str) -> str | None:
    prefix = PREFIXES[_seed(text, "prefix") % len(PREFIXES)]
    return "\n".join(prefix + line if line.strip() else line for line in text.split("\n"))


def wrap_80(text: str) -> str | None:
    lines = text.split("\n")
    if not any(len(line) > 80 for line in lines):
        return None
    out = []
    for line in lines:
        while len(line) > 80:
            out.append(line[:80])
            line = line[80:]
        out.append(line)
    return "\n".join(out)


def tail_only(text: str) -> str | None:
    """The bottom of the traceback only: the last frames and the exception (the user copied from the
    bottom of the terminal; prose and logs around it are gone)."""
    lines = text.split("\n")
    log = tb.parse(text)
    traces = [t for t in log.traces if t.final.type and not t.final.type.endswith("Warning")]
    if not traces or len({t.final.type for t in traces if not is_generic_cascade(t)}) > 1:
        return None  # several different errors: the bottom one alone is another question
    final = traces[-1]
    start = max(final.start, final.final.line - 4)
    kept = [line for line in lines[start:final.end + 1] if line.strip()]
    if len(kept) >= len([line for line in lines if line.strip()]):
        return None
    return "\n".join(kept)


def elide_frames(text: str) -> str | None:
    """Library frames replaced by Colab's ``N frames`` line. Colab keeps the frame that raised, the last one above
    the exception line (every Colab paste among the corpus's real cases shows one below its ``N frames``)."""
    lines = text.split("\n")
    out: list[str] = []
    i, elided = 0, 0
    while i < len(lines):
        frame = tb.FRAME_RE.match(lines[i])
        if frame and tb.library_of(frame["file"]):
            j = i + 1
            while j < len(lines) and lines[j].startswith("    ") and not tb.FRAME_RE.match(lines[j]):
                j += 1
            if j < len(lines) and tb.FRAME_RE.match(lines[j]):  # not the raising frame: hidden
                elided += 1
                i = j
                continue
        if elided:
            out.append(f"{elided} frames")
            elided = 0
        out.append(lines[i])
        i += 1
    result = "\n".join(out)
    return result if result != text else None


def trailing_env_dump(text: str) -> str | None:
    return text.rstrip("\n") + "\n" + ENV_DUMP


TRANSFORMS: dict[str, Callable[[str], str | None]] = {
    "drop_header": drop_header,
    "drop_exception_line": drop_exception_line,
    "glue_zh_prose": glue_zh_prose,
    "markdown": markdown,
    "rendered_markdown": rendered_markdown,
    "quoted": quoted,
    "truncate_mid_line": truncate_mid_line,
    "first_lines_of_list": first_lines_of_list,
    "foreign_prefix": foreign_prefix,
    "wrap_80": wrap_80,
    "tail_only": tail_only,
    "elide_frames": elide_frames,
    "trailing_env_dump": trailing_env_dump,
}


def apply(name: str, text: str) -> str | None:
    return TRANSFORMS[name](text)


def variants(text: str) -> dict[str, str]:
    """Every transformation that applies to ``text``, by name."""
    out = {}
    for name, transform in TRANSFORMS.items():
        varied = transform(text)
        if varied is not None and varied.strip() and varied != text:
            out[name] = varied
    return out
