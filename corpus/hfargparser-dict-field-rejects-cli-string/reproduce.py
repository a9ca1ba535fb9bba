"""A TRL-style script parses its own arguments class beside TrainingArguments with transformers' HfArgumentParser
and declares a field as ``dict[str, Any] | None`` (transformers#48030, trl#6791). HfArgumentParser drops the
``None`` and, having no special case for ``dict``, registers the option with argparse ``type=dict``; argparse then
calls ``dict('{"temperature": 0.7}')``, which raises, and prints "error: argument --generation_kwargs/
--generation-kwargs: invalid dict value: ..." before exiting with status 2. This is the same path TrainingArguments'
own fields took in the affected releases (4.53.x --deepspeed, 4.57.0-4.57.4 --lr_scheduler_kwargs). fixed() gives
the same values through parse_dict (fix 1: a config file reaches the dataclass without argparse) and through a
field typed ``dict[str, Any] | str | None`` decoded in __post_init__ (fix 2).
"""

import contextlib
import dataclasses
import io
import json
import tempfile
from typing import Any, Optional

REQUIRES = ("transformers",)
FIXES = (1, 2)

CLI = ["--output_dir", "out", "--report_to", "none", "--generation_kwargs", '{"temperature": 0.7}']


def _parse(arguments_class, argv):
    from transformers import HfArgumentParser, TrainingArguments

    parser = HfArgumentParser((arguments_class, TrainingArguments), prog="train.py")
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            return parser.parse_args_into_dataclasses(argv), ""
    except SystemExit:                      # argparse's parser.error(): usage + "error: ..." on stderr, exit 2
        return None, err.getvalue()


def reproduce():
    @dataclasses.dataclass
    class ScriptArguments:
        generation_kwargs: Optional[dict[str, Any]] = dataclasses.field(default=None)

    with tempfile.TemporaryDirectory() as tmp:
        parsed, stderr = _parse(ScriptArguments, [tmp if a == "out" else a for a in CLI])
    if parsed is not None:
        raise RuntimeError("this transformers parsed a dict field from the command line: nothing to reproduce")
    return stderr


def fixed():
    from transformers import HfArgumentParser, TrainingArguments

    @dataclasses.dataclass
    class ScriptArguments:
        generation_kwargs: Optional[dict[str, Any]] = dataclasses.field(default=None)

    @dataclasses.dataclass
    class FixedScriptArguments:             # fix 2: the parser keeps str, __post_init__ decodes the JSON
        generation_kwargs: dict[str, Any] | str | None = dataclasses.field(default=None)

        def __post_init__(self):
            if isinstance(self.generation_kwargs, str):
                self.generation_kwargs = json.loads(self.generation_kwargs)

    with tempfile.TemporaryDirectory() as tmp:
        # fix 1: the same options from a config file (parse_dict is what parse_yaml_file / parse_json_file call)
        parser = HfArgumentParser((ScriptArguments, TrainingArguments))
        script_args, training_args = parser.parse_dict(
            {"output_dir": tmp, "report_to": "none", "generation_kwargs": {"temperature": 0.7}}
        )
        assert script_args.generation_kwargs == {"temperature": 0.7}

        parsed, stderr = _parse(FixedScriptArguments, [tmp if a == "out" else a for a in CLI])
        assert parsed is not None, stderr
        assert parsed[0].generation_kwargs == {"temperature": 0.7}
    return f"generation_kwargs parsed from a config dict and from the command line: {parsed[0].generation_kwargs}\n"
