"""Early warnings while a log streams: the precursors that come before a failure or a wasted run.

``cmd 2>&1 | kbfix`` feeds every line to a :class:`Watch` as it arrives (the reader's ``on_lines``
callback). Each detector looks for one precursor; the first time it appears, the watch hands an
:class:`Event` to its listener (the CLI prints one short line on stderr and, with ``--events FILE``,
writes JSON Lines). The final diagnosis still comes at the end, from the whole excerpt.

Precursors (each names the corpus entry it usually leads to):

- ``nonfinite-loss`` / ``nonfinite-grad-norm``: the loss or the gradient norm logged as NaN or inf;
- ``weights-newly-initialized``: transformers says layers that should have come from the checkpoint
  were newly initialized (a new task head such as ``classifier`` or ``score`` is normal and ignored);
- ``no-trainable-parameters``: ``trainable params: 0``;
- ``peft-tied-embeddings``: PEFT's warning that a tied layer (``lm_head``) is part of the adapter;
- ``tokenizer-truncation``: a sequence longer than the model's maximum, or truncation not enabled.

Detectors are plain regexes over one line at a time (a small state machine for transformers 5's
LOAD REPORT table); a chunk of lines holding none of their key words is skipped at once, so the
pipe stays as fast as the reader. Nothing here imports more than ``re``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Callable, TextIO

from kbfix.model import Lang, Text

TRACEBACK_LINES = 400  # a traceback longer than this is taken as cut off
MAX_ERRORS = 20  # distinct error events per stream; a 64-rank job prints the same error 64 times


@dataclass(frozen=True)
class Event:
    """Something seen in the stream: ``warning`` (a precursor) or ``error`` (an exception line)."""

    kind: str
    id: str
    line: int  # 1-based line number in the stream
    text: str  # the line as it arrived (clipped)
    message: Text
    entry: str | None = None  # the corpus entry this usually leads to
    details: dict = field(default_factory=dict)

    def to_json(self, lang: Lang = "en") -> dict:
        data = {"event": self.kind, "id": self.id, "line": self.line, "message": self.message.get(lang),
                "message_en": self.message.en, "entry": self.entry, "text": self.text, "time": time.time()}
        if self.details:
            data["details"] = self.details
        return data

    def short(self, lang: Lang = "en") -> str:
        """One line for stderr."""
        if lang == "zh":
            see = f"（kbfix corpus show {self.entry}）" if self.entry else ""
            return f"kbfix: 警告，第 {self.line} 行：{self.message.zh}{see}"
        see = f" (kbfix corpus show {self.entry})" if self.entry else ""
        return f"kbfix: warning, line {self.line}: {self.message.en}{see}"


# --- detectors --------------------------------------------------------------------------------

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
NONFINITE = r"['\"]?(?P<value>[-+]?(?:nan|inf(?:inity)?))['\"]?(?![\w.])"
LOSS_RE = re.compile(r"(?<![\w-])['\"]?(?:train_|eval_|train/|eval/)?loss['\"]?\s*[:=]?\s*" + NONFINITE, re.I)
GRAD_RE = re.compile(r"(?<![\w-])['\"]?(?:train/)?grad_?norm['\"]?\s*[:=]?\s*" + NONFINITE, re.I)
TRAINABLE_RE = re.compile(r"\btrainable params:\s*0(?![\d,.])", re.I)
TIED_RE = re.compile(r"tie_word_embeddings=True`? and (?:a tied layer is|the tied_target_modules=.*? are) "
                     r"part of the adapter|tied_target_modules=\[.*?\] are part of the adapter", re.I)
TRUNCATION_RE = re.compile(
    r"Token indices sequence length is longer than the specified maximum sequence length for this model "
    r"\((?P<n>\d+) > (?P<max>\d+)\)"
    r"|Truncation was not explicitly activated but `max_length` is provided"
    r"|Asking to truncate to max_length but no maximum length is provided")
NEWLY_V4_RE = re.compile(r"Some weights of (?P<model>\S+) were not initialized from the model checkpoint at (?P<path>.+?) "
                         r"and are newly initialized(?P<shapes> because the shapes did not match)?:\s*(?:\[(?P<keys>.*)\])?")
SHAPE_ROW_RE = re.compile(r"^\s*-\s*(?P<key>[\w.{}, ]+?): found shape")
REPORT_HEAD_RE = re.compile(r"(?P<model>\w+) LOAD REPORT")
REPORT_ROW_RE = re.compile(r"^\s*(?P<key>[\w.{}, ]+?)\s*\|\s*(?P<status>MISSING|MISMATCH)\s*\|")
TRACEBACK_RE = re.compile(r"Traceback \(most recent call last\)")
# parts of a parameter name that make it a head created for the task (the warning is expected then)
HEAD_PARTS = {"classifier", "pre_classifier", "classification_head", "score", "qa_outputs", "pooler", "v_head",
              "summary", "multiple_choice_head", "heads", "head", "cls", "seq_relationship"}


def is_head(key: str) -> bool:
    """A parameter of a head made for the task (``score.weight``, ``classifier.out_proj.bias``)."""
    parts = key.split(".")
    return "lm_head" not in parts and any(p in HEAD_PARTS or p.endswith("_head") and p != "lm_head" for p in parts)


def _keys(text: str) -> list[str]:
    return [k.strip().strip("'\"") for k in text.split(",") if k.strip()]


@dataclass
class Detector:
    """One precursor: ``words`` (a line must hold one of them), ``check(line)`` -> details or None."""

    id: str
    words: tuple[str, ...]
    check: Callable[[str], dict | None]
    message: Callable[[dict], Text]
    entry: str | None


def _message_nonfinite(what_en: str, what_zh: str, scaled: bool = False):
    def message(details: dict) -> Text:
        value = details.get("value", "nan")
        if scaled:  # fp16 loss scaling skips a step whose gradients overflowed: once is normal
            return Text(f"the {what_en} is {value}: with fp16 loss scaling a few skipped steps are normal; if it "
                        "repeats, training has stopped learning (fp16 overflow? too high a learning rate?)",
                        f"{what_zh}变成了 {value}：使用 fp16 损失缩放时偶尔跳过几步是正常的；如果一直如此，"
                        "训练已经不再学习（fp16 溢出？学习率过高？）")
        return Text(f"the {what_en} is {value}: training has stopped learning (fp16 overflow? too high a learning rate?)",
                    f"{what_zh}变成了 {value}：训练已经不再学习（fp16 溢出？学习率过高？）")
    return message


NONFINITE_WORDS = ("nan", "inf")  # as Python, torch and numpy print them (each word searched costs a pass)


def _find(text: str, word: str, start: int) -> int:
    """The next position of ``word`` in ``text`` from ``start``; nan/inf only as a word of their own
    (``info``, ``inference`` and ``nano`` are skipped here, cheaply, before any regex runs)."""
    position = text.find(word, start)
    if word not in NONFINITE_WORDS:
        return position
    while position >= 0:
        after = text[position + 3: position + 4]
        before = text[position - 1: position] if position else ""
        if not (after.isalpha() and not text.startswith("inity", position + 3)) and not before.isalpha():
            return position
        position = text.find(word, position + 3)
    return -1


class Watch:
    """Run every detector over the lines of a stream; call ``listener`` once per precursor.

    A batch of lines is searched for the detectors' key words with ``str.find`` (C speed); only the
    lines holding one, and the lines of a table or traceback in progress, are looked at one by one.
    """

    def __init__(self, listener: Callable[[Event], None], *, errors: bool = True):
        self.listener = listener
        self.errors = errors
        self.fired: set[str] = set()
        self.events: list[Event] = []
        self._report: dict | None = None  # inside a transformers 5 LOAD REPORT table
        self._shapes: dict | None = None  # after "newly initialized because the shapes did not match:"
        self._in_traceback = False
        self._traceback_lines = 0
        self._seen_errors: set[tuple[str, str]] = set()
        self.detectors = (
            Detector("nonfinite-loss", NONFINITE_WORDS, self._check_loss,
                     _message_nonfinite("loss", "loss "), "fp16-nan-overflow"),
            Detector("nonfinite-grad-norm", NONFINITE_WORDS, self._check_grad,
                     _message_nonfinite("gradient norm", "梯度范数", scaled=True), "fp16-nan-overflow"),
            Detector("no-trainable-parameters", ("trainable params",), self._check_trainable,
                     lambda d: Text("no parameter is trainable: the run will train nothing",
                                    "没有可训练的参数：这次训练不会学到任何东西"), "no-trainable-parameters"),
            Detector("peft-tied-embeddings", ("tie_word_embeddings",), self._check_tied,
                     lambda d: Text("LoRA targets a layer tied to the embeddings (lm_head): merging or exporting "
                                    "the adapter can break the tie", "LoRA 作用在与词嵌入绑定的层（lm_head）上："
                                    "合并或导出 adapter 时可能破坏权重绑定"), "peft-lora-on-tied-lm-head"),
            Detector("tokenizer-truncation", ("Token indices", "runcat"), self._check_truncation,
                     lambda d: Text(f"a tokenized sequence is longer than the model accepts"
                                    f"{' (%s > %s)' % (d['length'], d['max']) if d.get('max') else ''}, and it is not "
                                    "truncated: expect an index error, or silently cut text",
                                    f"分词后的序列超过模型能接受的长度"
                                    f"{'（%s > %s）' % (d['length'], d['max']) if d.get('max') else ''}，且没有截断："
                                    "随后会出现索引错误，或者文本被悄悄截掉"), "sequence-longer-than-max-positions"),
            Detector("weights-newly-initialized", ("newly initialized", "LOAD REPORT"), self._check_newly,
                     lambda d: Text(f"weights that should come from the checkpoint were newly initialized "
                                    f"(e.g. {d['key']}): the model starts from random layers",
                                    f"本应从 checkpoint 加载的权重被重新随机初始化（例如 {d['key']}）："
                                    "模型从随机层开始训练"),
                     "checkpoint-missing-keys-incomplete"),
        )
        self._active = list(self.detectors)
        self._words = self._key_words()

    def _key_words(self) -> tuple[str, ...]:
        words = {w for d in self._active for w in d.words}
        if self.errors and len(self._seen_errors) < MAX_ERRORS:
            words.add("Traceback")
        return tuple(sorted(words))

    def _busy(self) -> bool:
        """A table or a traceback is in progress: every line counts until it ends."""
        return self._report is not None or self._shapes is not None or self._in_traceback

    # -- feeding --

    def feed(self, first: int, lines: list[str], joined: str | None = None) -> None:
        """Lines ``first``, ``first + 1``, ... (0-based) of the stream; ``joined``: them joined by newlines."""
        i = self._run_busy(first, lines, 0)
        if i >= len(lines):
            return
        text = joined if joined is not None else "\n".join(lines)
        words = [w for w in self._words if w in text]
        if not words:
            return
        start = len("\n".join(lines[:i])) + 1 if i else 0
        upcoming = {w: _find(text, w, start) for w in words}
        line_no = 0  # the 0-based index in ``lines`` of position ``line_at``
        line_at = 0
        while True:
            upcoming = {w: p for w, p in upcoming.items() if p >= 0 and w in self._words}
            if not upcoming:
                return
            position = min(upcoming.values())
            line_no += text.count("\n", line_at, position)
            line_at = text.rfind("\n", 0, position) + 1
            self._line(first + line_no + 1, lines[line_no])
            i = self._run_busy(first, lines, line_no + 1)
            if i >= len(lines):
                return
            start = text.find("\n", position) + 1
            for skipped in lines[line_no + 1: i]:  # lines the table or traceback went through
                start += len(skipped) + 1
            line_no, line_at = i, start
            upcoming = {w: p if p >= start else _find(text, w, start) for w, p in upcoming.items()}

    def _run_busy(self, first: int, lines: list[str], i: int) -> int:
        while i < len(lines) and self._busy():
            self._line(first + i + 1, lines[i])
            i += 1
        return i

    def _line(self, number: int, raw: str) -> None:
        """Check one line (``number`` is 1-based)."""
        line = ANSI_RE.sub("", raw) if "\x1b" in raw else raw
        for detector in list(self._active):
            stateful = detector.id == "weights-newly-initialized" and (self._report is not None or self._shapes is not None)
            if not stateful and not any(w in line for w in detector.words):
                continue
            details = detector.check(line)
            if details is not None:
                self._active.remove(detector)
                self._words = self._key_words()
                self._fire(Event("warning", detector.id, number, raw[:500], detector.message(details),
                                 detector.entry, details))
        if self.errors and (self._in_traceback or "Traceback" in line):
            self._check_error(number, line, raw)

    def _fire(self, event: Event) -> None:
        if event.kind == "warning":
            self.fired.add(event.id)
        self.events.append(event)
        self.listener(event)

    # -- checks --

    def _check_loss(self, line: str) -> dict | None:
        match = LOSS_RE.search(line)
        return {"value": match.group("value").lower()} if match else None

    def _check_grad(self, line: str) -> dict | None:
        match = GRAD_RE.search(line)
        return {"value": match.group("value").lower()} if match else None

    def _check_trainable(self, line: str) -> dict | None:
        return {} if TRAINABLE_RE.search(line) else None

    def _check_tied(self, line: str) -> dict | None:
        return {} if TIED_RE.search(line) else None

    def _check_truncation(self, line: str) -> dict | None:
        match = TRUNCATION_RE.search(line)
        if not match:
            return None
        return {"length": match.group("n"), "max": match.group("max")} if match.group("n") else {}

    def _check_newly(self, line: str) -> dict | None:
        match = NEWLY_V4_RE.search(line)
        if match:
            self._report = None
            if match.group("keys") is not None:
                self._shapes = None
                bad = [k for k in _keys(match.group("keys")) if not is_head(k)]
                return {"key": bad[0], "count": len(bad), "model": match.group("model")} if bad else None
            self._shapes = {"model": match.group("model"), "rows": 0}
            return None
        if self._shapes is not None:
            row = SHAPE_ROW_RE.match(line)
            if row is None:
                self._shapes = None if line.strip() else self._shapes
                return None
            if not is_head(row.group("key")):
                model, self._shapes = self._shapes["model"], None
                return {"key": row.group("key"), "model": model}
            return None
        head = REPORT_HEAD_RE.search(line)
        if head:
            self._report = {"model": head.group("model"), "rows": 0}
            return None
        if self._report is not None:
            self._report["rows"] += 1
            row = REPORT_ROW_RE.match(line)
            if row and not is_head(row.group("key")):
                model, self._report = self._report["model"], None
                return {"key": row.group("key"), "model": model, "status": row.group("status")}
            if line.startswith("Notes:") or self._report["rows"] > 5000:
                self._report = None
        return None

    def _check_error(self, number: int, line: str, raw: str) -> None:
        """An ``error`` event for the exception line that ends a traceback (once per type and message)."""
        if TRACEBACK_RE.search(line):
            self._in_traceback = len(self._seen_errors) < MAX_ERRORS
            self._traceback_lines = 0
            return
        self._traceback_lines += 1
        if self._traceback_lines > TRACEBACK_LINES:  # a traceback cut off: stop looking line by line
            self._in_traceback = False
            return
        if line[:1].isspace():
            return
        from kbfix.traceback import EXC_RE, normalize_line

        text = normalize_line(line).text
        match = EXC_RE.match(text)
        if match is None or not (match.group("msg") or "").strip() and ":" not in text:
            return
        self._in_traceback = False
        key = (match.group("type"), (match.group("msg") or "").strip()[:200])
        if key in self._seen_errors:
            return
        self._seen_errors.add(key)
        if len(self._seen_errors) >= MAX_ERRORS:
            self._words = self._key_words()
        self._fire(Event("error", match.group("type"), number, raw[:500],
                         Text(text[:300], text[:300]), None, {"type": key[0], "message": key[1]}))


# --- listeners --------------------------------------------------------------------------------

class EventLog:
    """Write events as JSON Lines to a file, flushed at once (editors and agents ``tail -f`` it)."""

    def __init__(self, handle: TextIO, lang: Lang = "en"):
        self.handle = handle
        self.lang = lang

    def write(self, data: dict) -> None:
        self.handle.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.handle.flush()

    def event(self, event: Event) -> None:
        self.write(event.to_json(self.lang))

    def diagnosis(self, report_json: dict) -> None:
        self.write({"event": "diagnosis", "time": time.time(), "report": report_json})


def summary(events: list[Event], lang: Lang = "en") -> str | None:
    """One line recalling the warnings, printed after the diagnosis (the log may have scrolled past them)."""
    warnings = [e for e in events if e.kind == "warning"]
    if not warnings:
        return None
    listed = ", ".join(f"{e.id} (line {e.line})" for e in warnings)
    return f"kbfix: early warnings: {listed}" if lang == "en" else f"kbfix: 早期警告：{listed}"



class Listener:
    """What the CLI does with events: one short line on ``stderr`` per warning, every event to ``events``."""

    def __init__(self, stderr: TextIO | None = None, events: TextIO | None = None, lang: Lang = "en"):
        self.stderr = stderr
        self.log = EventLog(events, lang) if events is not None else None
        self.lang = lang
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        if self.stderr is not None and event.kind == "warning":
            self.stderr.write(event.short(self.lang) + "\n")
            self.stderr.flush()
        if self.log is not None:
            self.log.event(event)

    def finish(self, report_json: dict | None) -> None:
        """After the diagnosis: the ``diagnosis`` event; on stderr, the warnings recalled and the
        place in the user's code (``kbfix: FILE:LINE: error: ...``, for editors' problem matchers)."""
        if self.log is not None and report_json is not None:
            self.log.diagnosis(report_json)
        if self.stderr is None:
            return
        for line in (summary(self.events, self.lang), locate(report_json, self.lang) if report_json else None):
            if line:
                self.stderr.write(line + "\n")
        self.stderr.flush()


def locate(report_json: dict, lang: Lang = "en") -> str | None:
    """``kbfix: train.py:6: error: TITLE [ID] (confidence 0.99)`` for the deepest frame of the user's own
    code in the chosen error; None when it has none. One line that terminals make clickable and a
    VS Code problem matcher (``kbfix/editors/recipes/vscode/tasks.json``) turns into a problem."""
    error = report_json.get("error")
    frames = [f for f in (error or {}).get("frames", []) if f.get("library") is None and f.get("line")
              and not str(f.get("file", "")).startswith("<")]
    if not frames or report_json.get("verdict") == "no_error":
        return None
    frame = frames[-1]
    matches = report_json.get("matches") or []
    if report_json.get("verdict") == "match" and matches:
        best = matches[0]
        word = "confidence" if lang == "en" else "置信度"
        where = f"kbfix: {frame['file']}:{frame['line']}"
        return f"{where}: error: {best['title']} [{best['id']}] ({word} {best['confidence']:.2f})"
    first = (error.get("message") or "").split("\n")[0][:200]
    said = "no confident match for" if lang == "en" else "没有可信的匹配："
    return f"kbfix: {frame['file']}:{frame['line']}: info: {said} {error.get('type')}: {first}"
