"""What to tell a user when kbfix is not confident: why, in one line, and what to paste instead.

"No confident match" costs seconds only when it says what would get an answer. ``advise`` reads the
parsed log and the scored candidates: a paste without its exception line, a traceback cut off
before it, a message cut mid-line, a wording that matched but was ruled out, a close candidate, or
an error kbfix does not know. English and Chinese.
"""

from __future__ import annotations

import re

from kbfix.engine.features import RULED_OUT_CONDITION, Scored
from kbfix.model import Log, Text, Trace

FRAME_LINE_RE = re.compile(r'^\s*File "[^"]+", line \d+|Traceback \(most recent call last\)|[│╭╰]')
PASTE_ALL = Text("paste the whole error, from `Traceback (most recent call last):` to its last line "
                 "(the `SomethingError: ...` line), or pipe the run into kbfix: `python train.py 2>&1 | kbfix`",
                 "请粘贴完整的报错：从 `Traceback (most recent call last):` 一直到最后一行（`XxxError: ...` 那一行），"
                 "或直接把运行输出通过管道交给 kbfix：`python train.py 2>&1 | kbfix`")


NO_ERROR = Text("no line of it says that something failed; if the run did fail, its error comes after what was "
                "pasted: paste the end of the output, from `Traceback (most recent call last):` to its last line, or "
                "pipe the run into kbfix: `python train.py 2>&1 | kbfix`",
                "其中没有任何一行表明出了错；如果运行确实失败了，报错应在所粘贴内容之后：请粘贴输出的最后部分，从 "
                "`Traceback (most recent call last):` 到最后一行，或直接把运行输出通过管道交给 kbfix："
                "`python train.py 2>&1 | kbfix`")


def _why(log: Log, trace: Trace | None, scored: list[Scored]) -> Text:
    best = scored[0] if scored else None
    near = [s for s in scored if s.features.get("near_miss")]
    if trace is None and not log.headless:
        if any(FRAME_LINE_RE.search(line) for line in log.lines):
            return Text("the traceback is cut off before its exception line",
                        "这段 traceback 在异常那一行之前就被截断了")
        return Text("no error message was found in the text", "文本中没有找到报错信息")
    if log.described:
        return Text("this reads as a description of the problem, not the error itself: the nearest causes are "
                    "listed, none can be confirmed from it",
                    "这是对问题的描述，而不是报错本身：下面列出最接近的原因，但无法据此确认")
    if trace is not None and not trace.final.type:
        return Text("the exception line (`SomethingError: ...`) is missing: only the message body was pasted",
                    "缺少异常那一行（`XxxError: ...`）：只粘贴了报错信息的正文")
    fragment = best is not None and best.features.get("sig_frag") and not best.features.get("sig")
    if fragment:
        return Text(f"the message is cut off; its start reads like {best.entry.id}",
                    f"报错信息被截断了；开头部分像是 {best.entry.id}")
    if len(undecided := [s.entry.id for s in near if s.cut_short]) > 1:
        pair = " or ".join(undecided[:2])
        return Text(f"the message is cut off before it tells {pair} apart",
                    f"报错信息被截断了，剩下的部分无法区分 {pair}")
    if ruled := [s for s in near if s.ruled_out == RULED_OUT_CONDITION]:  # not one a more specific entry explains
        entry = ruled[0].entry.id
        return Text(f"the wording of {entry} matched, but a detail in the log rules it out",
                    f"与 {entry} 的报错措辞一致，但日志中的其他细节排除了它")
    if best is not None and best.confidence >= 0.2:
        return Text(f"closest known cause: {best.entry.id} ({best.confidence:.2f}), not certain enough",
                    f"最接近的已知原因：{best.entry.id}（{best.confidence:.2f}），但把握不够")
    return Text("this error is not one of the causes kbfix knows", "这个报错不属于 kbfix 已知的原因")


def advise(log: Log, trace: Trace | None, scored: list[Scored]) -> Text:
    """One line: why there is no confident answer, then what to paste to get one."""
    why = _why(log, trace, scored)
    if trace is not None and trace.final.type and not why.en.startswith("the message is cut"):
        paste = Text("if it happened in training, add the log around it (`python train.py 2>&1 | kbfix`) or the "
                     "checkpoint / config it loaded (`--inspect PATH`)",
                     "如果是训练时出的错，请附上前后的日志（`python train.py 2>&1 | kbfix`），或用 `--inspect 路径` "
                     "加上它加载的 checkpoint / 配置")
    else:
        paste = PASTE_ALL
    return Text(f"{why.en}; {paste.en}", f"{why.zh}；{paste.zh}")
