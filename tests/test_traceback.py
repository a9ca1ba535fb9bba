"""The parser on the shapes users paste."""

import pytest

from kbfix import traceback as tb
from kbfix.traceback import library_of, parse


def only(text):
    log = parse(text)
    assert len(log.traces) == 1, log.traces
    return log.traces[0]


def test_plain_traceback_frames_and_libraries():
    trace = only('''Traceback (most recent call last):
  File "/home/u/train.py", line 10, in <module>
    main()
  File "/venv/lib/python3.11/site-packages/peft/tuners/tuners_utils.py", line 500, in inject_adapter
    raise ValueError(msg)
ValueError: Target modules {'c_attn'} not found in the base model.''')
    exc = trace.final
    assert exc.type == "ValueError"
    assert exc.message.startswith("Target modules {'c_attn'}")
    assert [(f.name, f.library) for f in exc.frames] == [("<module>", None), ("inject_adapter", "peft")]
    assert exc.frames[1].lineno == 500 and exc.frames[1].line == "raise ValueError(msg)"


def test_error_line_only_and_dotted_type():
    trace = only("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
    assert trace.final.type == "torch.OutOfMemoryError" and trace.final.short_type == "OutOfMemoryError"
    assert trace.final.frames == ()


def test_partial_traceback_without_header():
    trace = only('''  File "/x/site-packages/deepspeed/runtime/zero/stage3.py", line 236, in __init__
    self.dtype = self.optimizer.param_groups[0]['params'][0].dtype
IndexError: list index out of range''')
    assert trace.final.type == "IndexError"
    assert trace.final.frames[0].library == "deepspeed" and trace.final.frames[0].name == "__init__"


def test_a_bare_exception_type_under_headerless_frames_is_the_exception_line():
    # a paste that starts mid-traceback and ends the error with a message-less type (an assert), then the
    # launcher's own traceback cut off before its exception line
    log = parse('''  File "/x/modules/modeling_qwen.py", line 176, in forward
    assert all((i.dtype in [torch.float16, torch.bfloat16] for i in (q, k, v)))
AssertionError
Traceback (most recent call last):
  File "/x/bin/accelerate", line 8, in <module>
    sys.exit(main())''')
    first = log.traces[0].final
    assert (first.type, first.message) == ("AssertionError", "")
    assert first.frames[0].name == "forward" and first.frames[0].line.startswith("assert all(")
    # alone, under prose rather than frames, the bare word is not an exception line
    assert parse("I only got\nAssertionError\nwhen training").traces == ()


def test_an_exception_line_quoted_on_its_own_indented_line_is_read():
    # the user quotes the error line in a code block (indented), then pastes a notebook traceback cut before its
    # own exception line: the quoted line is the error's message
    log = parse("Error message:\n```\n TypeError: `model` must be a `LightningModule`, got `X`\n```\n"
                "TypeError                                 Traceback (most recent call last)\n"
                "Cell In[12], line 1\n----> 1 predictor = estimator.train(dataset)\n")
    first = log.traces[0].final
    assert first.type == "TypeError" and first.message.startswith("`model` must be a `LightningModule`, got `X")
    # an indented bare type may be code, and a frame's code line is never an exception line
    assert parse("    AssertionError\n").traces == ()
    assert parse("  File \"/x/a.py\", line 3, in f\n    raise ValueError('no')\n").traces == ()


def test_frames_pasted_without_header_keep_code_lines_that_lost_their_indentation():
    # a rank prefix (or a chat) ate the indentation of each frame's code line, and no header was pasted
    log = parse('[rank0]: File "/x/site-packages/vllm/model_executor/models/deepseek_v2.py", line 135, in pack_params\n'
                '[rank0]: w1.append(expert.gate_up_proj.weight)\n'
                '[rank0]: File "/x/site-packages/torch/nn/modules/module.py", line 1709, in __getattr__\n'
                '[rank0]: raise AttributeError(f"no attribute {name}")\n'
                "[rank0]: AttributeError: 'MergedColumnParallelLinear' object has no attribute 'weight'")
    final = log.traces[0].final
    assert [(f.name, f.line) for f in final.frames] == [("pack_params", "w1.append(expert.gate_up_proj.weight)"),
                                                       ("__getattr__", 'raise AttributeError(f"no attribute {name}")')]
    assert final.frames[0].library == "vllm"
    # prose between a frame and the error is no code line: the frames above it are not the error's
    prose = parse('  File "/x/a.py", line 3, in f\n    g()\nthen I changed the config and got\nValueError: bad config')
    assert prose.traces[0].final.frames == ()


def test_a_traceback_flattened_onto_one_line_is_read_and_keeps_the_pastes_lines():
    # a page or chat app turned the traceback's line breaks into spaces
    log = parse('hello\nI got: Traceback (most recent call last): File "/x/train.py", line 10, in <module> main() '
                'File "/x/site-packages/transformers/trainer.py", line 120, in train self.x() '
                'ValueError: Expected a string path to an existing deepspeed config. Received: ds.json\nthanks')
    final = log.traces[0].final
    assert final.type == "ValueError"
    assert final.message.split("\n")[0] == "Expected a string path to an existing deepspeed config. Received: ds.json"
    assert [(f.name, f.line) for f in final.frames] == [("<module>", "main()"), ("train", "self.x()")]
    assert final.frames[1].library == "transformers"
    assert len(log.lines) == 3 and final.line == 1  # the paste's own lines and line numbers
    chained = parse('Traceback (most recent call last): File "/x/a.py", line 3, in f g() KeyError: \'a\' During handling '
                    'of the above exception, another exception occurred: Traceback (most recent call last): '
                    'File "/x/a.py", line 5, in <module> f() RuntimeError: boom').traces[0]
    assert [(e.type, e.message) for e in chained.exceptions] == [("KeyError", "'a'"), ("RuntimeError", "boom")]
    # prose naming one file is not a traceback
    assert parse('see File "a.py", line 3 for details').traces == ()


def test_a_notebooks_saved_json_outputs_are_read_and_keep_the_pastes_lines():
    # an error output of an .ipynb pasted as the file's JSON: each traceback line is a JSON string with escapes
    text = (' "outputs": [\n  {\n   "ename": "ValueError",\n   "evalue": "Expected a string path",\n'
            '   "output_type": "error",\n   "traceback": [\n'
            '    "\\u001b[0;31mValueError\\u001b[0m                                Traceback (most recent call last)",\n'
            '    "Cell \\u001b[0;32mIn[3], line 2\\u001b[0m\\n\\u001b[0;32m----> 2\\u001b[0m trainer\\u001b[38;5;241m.\\u001b[39mtrain()\\n",\n'
            '    "File \\u001b[0;32m/usr/local/lib/python3.10/site-packages/transformers/trainer.py:120\\u001b[0m, in '
            '\\u001b[0;36mTrainer.train\\u001b[0;34m(self)\\u001b[0m\\n",\n'
            '    "\\u001b[0;31mValueError\\u001b[0m: Expected a string path to an existing deepspeed config. Received: \\"ds.json\\""\n'
            '   ]\n  }\n ]')
    log = parse(text)
    (trace,) = log.traces
    assert trace.final.type == "ValueError"
    assert trace.final.message == 'Expected a string path to an existing deepspeed config. Received: "ds.json"'
    assert [f.library for f in trace.final.frames][-1] == "transformers"
    assert len(log.lines) == text.count("\n") + 1 and trace.final.line == 9  # the paste's own lines
    # a script run from a cell (`!python train.py`): its stderr is a stream's "text" list
    stream = parse('   "name": "stderr",\n   "output_type": "stream",\n   "text": [\n    "Traceback (most recent call last):\\n",\n'
                   '    "  File \\"/content/train.py\\", line 5, in <module>\\n",\n    "    main()\\n",\n'
                   '    "KeyError: \'labels\'\\n"\n   ]')
    assert [(e.type, e.message) for e in stream.traces[0].exceptions] == [("KeyError", "'labels'")]
    # only the exception's name and value saved (no traceback list): they are the exception line
    only = parse('   "ename": "OSError",\n   "evalue": "Can\'t load tokenizer for \'x\'.\\nCheck the path.",\n'
                 '   "output_type": "error"')
    assert (only.traces[0].final.type, only.traces[0].final.message) == ("OSError", "Can't load tokenizer for 'x'.\nCheck the path.")
    # JSON that is not a notebook's output (a dataset row, a metrics line) is read as it is
    assert tb._notebook_decoded(['{"text": "ValueError: x",', '  "label": 1}']) is None


def test_an_error_reports_exception_fields_are_its_exception_line_after_the_stack_trace():
    # ComfyUI's error report: the exception in two fields, then frames without an exception line
    text = ("# ComfyUI Error Report\n## Error Details\n- **Node Type:** InitFluxLoRATraining\n"
            "- **Exception Type:** UnicodeDecodeError\n"
            "- **Exception Message:** 'utf-8' codec can't decode byte 0x92 in position 717: invalid start byte\n"
            "## Stack Trace\n```\n  File \"/w/ComfyUI/execution.py\", line 158, in process_inputs\n"
            "    results.append(getattr(obj, func)(**inputs))\n\n"
            "  File \"/w/custom_nodes/FluxTrainer/train.py\", line 40, in load\n    text = f.read()\n```\n"
            "## System Information\n- **ComfyUI Version:** 0.3.10")
    log = parse(text)
    (trace,) = log.traces
    assert (trace.final.type, trace.final.message) == \
        ("UnicodeDecodeError", "'utf-8' codec can't decode byte 0x92 in position 717: invalid start byte")
    assert [f.name for f in trace.final.frames] == ["process_inputs", "load"]
    assert trace.final.line == 4 and len(log.lines) == text.count("\n") + 1  # the message field's line
    # a field that names no exception type is no exception line
    assert parse("- **Exception Type:** see below\n- **Exception Message:** it broke").traces == ()


def test_line_breaks_written_as_escapes_are_read_as_lines():
    # a traceback pasted from a string's repr or a JSON log: its breaks are "\\n" (here escaped twice), one line
    text = ('{"error": "Traceback (most recent call last):\\\\n  File \\\\"/x/train.py\\\\", line 3, in <module>\\\\n'
            '    main()\\\\n  File \\\\"/x/site-packages/torch/nn/functional.py\\\\", line 2237, in embedding\\\\n'
            '    return torch.embedding(weight, input)\\\\nIndexError: index out of range in self\\\\n"}')
    log = parse(text)
    final = log.traces[0].final
    assert (final.type, final.message) == ("IndexError", 'index out of range in self')
    assert [(f.name, f.library) for f in final.frames] == [("<module>", None), ("embedding", "torch")]
    assert len(log.lines) == 1 and final.line == 0
    # a Windows path with "\\n" in it is no escaped line break
    path = 'File "C:\\new\\nets\\train.py", line 3, in f and File "C:\\new\\x.py", line 4, in g'
    assert tb._escaped_newlines([path]) is None


def test_a_quoted_exception_lines_indented_continuation_outside_the_quote_is_its_message():
    log = parse("> RuntimeError: Error(s) in loading state_dict for DebertaModel:\n"
                "\tsize mismatch for encoder.rel_embeddings.weight: copying a param with shape torch.Size([512, 768]) "
                "from checkpoint, the shape in current model is torch.Size([1024, 768]).\nHow can I fix it?")
    message = log.traces[0].final.message
    assert message.split("\n")[1].startswith("\tsize mismatch for encoder.rel_embeddings.weight")
    assert "How can I fix it" not in message


def test_chained_exceptions_keep_order():
    trace = only('''Traceback (most recent call last):
  File "/x/site-packages/transformers/models/auto/configuration_auto.py", line 1023, in from_pretrained
    config_class = CONFIG_MAPPING[config_dict["model_type"]]
KeyError: 'qwen2'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "t.py", line 3, in <module>
ValueError: The checkpoint you are trying to load has model type `qwen2` but Transformers does not recognize this architecture.''')
    assert [e.type for e in trace.exceptions] == ["KeyError", "ValueError"]
    assert trace.final.message.startswith("The checkpoint")


def test_ipython_notebook_with_ansi_colours():
    text = ("\x1b[0;31m---------------------------------------------------------------------------\x1b[0m\n"
            "\x1b[0;31mValueError\x1b[0m                                Traceback (most recent call last)\n"
            "Cell \x1b[0;32mIn[3]\x1b[0m, line 2\n"
            "      1 model = get_peft_model(model, config)\n"
            "\x1b[0;32m----> 2\x1b[0m trainer\x1b[38;5;241m.\x1b[39mtrain()\n\n"
            "File \x1b[0;32m/usr/local/lib/python3.10/dist-packages/transformers/trainer.py:1932\x1b[0m, in \x1b[0;36mTrainer.train\x1b[0;34m(self)\x1b[0m\n"
            "\x1b[0;32m-> 1932\x1b[0m     return inner()\n\n"
            "\x1b[0;31mValueError\x1b[0m: optimizer got an empty parameter list")
    trace = only(text)
    assert trace.final.type == "ValueError" and trace.final.message == "optimizer got an empty parameter list"
    assert [(f.filename, f.name) for f in trace.final.frames][-1] == (
        "/usr/local/lib/python3.10/dist-packages/transformers/trainer.py", "Trainer.train")
    assert trace.final.frames[0].filename == "In[3]"


COLAB = """---------------------------------------------------------------------------
OutOfMemoryError                          Traceback (most recent call last)
[<ipython-input-3-2a1c5e>](https://localhost:8080/#) in <cell line: 1>()
----> 1 trainer.evaluate()

22 frames
[/usr/local/lib/python3.10/dist-packages/transformers/trainer_pt_utils.py](https://localhost:8080/#) in torch_pad_and_concatenate(tensor1, tensor2, padding_index)
     86 
     87     # Now let's fill the result tensor
---> 88     result = tensor1.new_full(new_shape, padding_index)

OutOfMemoryError: CUDA out of memory. Tried to allocate 12.94 GiB
"""


def test_colab_frames_written_as_markdown_links():
    trace = only(COLAB)
    (exc,) = trace.exceptions
    assert exc.type == "OutOfMemoryError"
    assert [(f.name, f.library) for f in exc.frames] == [
        ("<cell line: 1>", None), ("torch_pad_and_concatenate", "transformers")]


def test_notebook_frames_without_the_header_are_the_errors_frames():
    """Copied from the first frame down: no header line, frames as links or plain paths, numbered code."""
    body = COLAB.split("\n", 4)[4]  # from "22 frames" on
    trace = only(body)
    assert [f.name for f in trace.exceptions[0].frames] == ["torch_pad_and_concatenate"]
    plain = body.replace("[/usr/local/lib/python3.10/dist-packages/transformers/trainer_pt_utils.py](https://localhost:8080/#)",
                         "/usr/local/lib/python3.10/dist-packages/transformers/trainer_pt_utils.py")
    assert [f.name for f in only(plain).exceptions[0].frames] == ["torch_pad_and_concatenate"]
    # prose above a bare error line is no frame
    assert only("I ran trainer.evaluate()\n\nOutOfMemoryError: CUDA out of memory.").exceptions[0].frames == ()


def test_rich_boxed_traceback():
    trace = only('''╭───────────────────── Traceback (most recent call last) ─────────────────────╮
│ /home/u/train.py:12 in <module>                                             │
│                                                                             │
│ ❱ 12 trainer.train()                                                        │
│                                                                             │
│ /usr/lib/python3.10/site-packages/transformers/trainer.py:1539 in train     │
╰─────────────────────────────────────────────────────────────────────────────╯
ValueError: optimizer got an empty parameter list''')
    assert trace.final.type == "ValueError"
    assert [f.library for f in trace.final.frames] == [None, "transformers"]


def test_interleaved_ranks_are_separated():
    log = parse('''[rank1]: Traceback (most recent call last):
[rank0]: Traceback (most recent call last):
[rank1]:   File "a.py", line 1, in <module>
[rank0]:   File "b.py", line 2, in <module>
[rank1]: RuntimeError: one
[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB''')
    by_rank = {t.rank: t.final for t in log.traces}
    assert by_rank[1].type == "RuntimeError" and by_rank[1].frames[0].filename == "a.py"
    assert by_rank[0].type == "torch.OutOfMemoryError" and by_rank[0].frames[0].filename == "b.py"


def test_log_prefixes_windows_paths_and_following_log_lines():
    log = parse('''2024-05-01 12:00:01 | ERROR | stderr | Traceback (most recent call last):
2024-05-01 12:00:01 | ERROR | stderr |   File "C:\\Users\\a\\x.py", line 5, in main
2024-05-01 12:00:01 | ERROR | stderr |     foo()
2024-05-01 12:00:01 | ERROR | stderr | KeyError: 'gemma3'
[2024-05-01 12:00:02,123] [INFO] [real_accelerator.py:203:get_accelerator] Setting ds_accelerator to cuda''')
    trace = log.traces[0]
    assert trace.final.type == "KeyError" and trace.final.message == "'gemma3'"
    assert trace.final.frames[0].filename == "C:\\Users\\a\\x.py" and trace.final.frames[0].line == "foo()"


@pytest.mark.parametrize("prefix", [
    "[INFO|trainer.py:2243] 2025-06-25 08:59:20,880 >> ",              # transformers' explicit format
    "[WARNING|2025-06-25 08:59:20] llamafactory.model.loader:143 >> ",  # LLaMA-Factory
    "[2024-01-02 03:04:05,123][__main__][ERROR] - ",                     # Hydra
    "[2024/01/02 03:04:05] ppocr ERROR: ",                               # PaddlePaddle
    "W1102 08:40:13.318000 140 torch/distributed/run.py:793] ",          # torch's glog-style lines
    "[E1102 08:40:13.318291316 ProcessGroupNCCL.cpp:616] ",
])
def test_more_log_prefixes_are_stripped(prefix):
    log = parse("".join(prefix + line + "\n" for line in (
        "Traceback (most recent call last):", '  File "train.py", line 3, in <module>', "    main()",
        "ValueError: Asking to pad but the tokenizer does not have a padding token.")))
    assert log.traces[0].final.type == "ValueError" and log.traces[0].final.frames[0].filename == "train.py"


TRACE = ("Traceback (most recent call last):", '  File "train.py", line 3, in <module>', "    main()",
         '  File "/venv/lib/python3.10/site-packages/peft/tuners/lora/model.py", line 9, in main',
         "    raise ValueError(msg)",
         "ValueError: Target modules {'q_proj'} not found in the base model.",
         "  Please check the target modules and try again.")


@pytest.mark.parametrize("prefix", [
    "worker-0: ",                                # DeepSpeed's pdsh launcher
    "10.0.0.12: ",                               # pdsh by address
    "3: ",                                       # srun --label
    "vllm-1  | ",                                # docker compose
    "Dec 03 23:20:30 gpu-node python[12345]: ",  # journald
    "[12/03/24 23:20:30] ERROR    ",             # rich's logging handler
])
def test_a_prefix_no_pattern_knows_is_learned_from_the_traceback_lines(prefix):
    log = parse("".join(prefix + line + "\n" for line in TRACE))
    final = log.traces[0].final
    assert final.type == "ValueError" and final.message.startswith("Target modules {'q_proj'} not found")
    assert [f.filename for f in final.frames] == ["train.py", "/venv/lib/python3.10/site-packages/peft/tuners/lora/model.py"]
    assert "Please check the target modules" in final.message  # the continuation line lost its prefix too


@pytest.mark.parametrize("prefix", [
    "[10:22:{:02d}] ",                                  # a bare time of day
    "Mar 05 10:22:{:02d} gpu-node-3 python[12345]: ",   # journald
    "2024/03/05 10:22:{:02d} ",                         # slashed dates
    "10:22:{:02d}.123 ERROR | ",                        # a time, a level, a separator
])
def test_a_timestamped_prefix_is_learned_without_a_traceback(prefix):
    lines = ("ValueError: Whisper expects the mel input features to be of length 3000,",
             "but found 200. Make sure to pad the input mel features to 3000.")
    log = parse("\n".join(prefix.format(i) + line for i, line in enumerate(lines)))
    assert log.lines[:2] == lines
    assert log.traces[0].final.message == "\n".join(lines)[len("ValueError: "):]


def test_a_learned_timestamped_prefix_stops_before_the_lines_shared_words():
    lines = ("size mismatch for a.1.weight: copying a param with shape torch.Size([1280]) from checkpoint",
             "size mismatch for a.2.bias: copying a param with shape torch.Size([1280]) from checkpoint")
    log = parse("\n".join(f"[10:22:{i:02d}] ValueError: " + line for i, line in enumerate(lines)))
    assert log.lines[:2] == tuple("ValueError: " + line for line in lines)  # a message's word is never a prefix


@pytest.mark.parametrize("prefix", [
    "2024-03-05T10:22:33.123456Z stderr F ",   # a container runtime's log (CRI)
    "12.4s\t12\t",                             # Kaggle's log viewer: seconds and line number
])
def test_container_and_kaggle_log_prefixes_are_stripped(prefix):
    log = parse("".join(prefix + line + "\n" for line in TRACE))
    final = log.traces[0].final
    assert final.type == "ValueError" and final.frames[0].filename == "train.py"
    assert final.frames[0].line == "main()" and "Please check the target modules" in final.message


def test_prose_before_one_traceback_header_is_not_taken_for_a_prefix():
    log = parse("I ran it and got: Traceback (most recent call last):\n" + "\n".join(TRACE[1:]))
    final = log.traces[0].final
    assert final.type == "ValueError" and [f.filename for f in final.frames][0] == "train.py"
    assert log.lines[0].startswith("I ran it and got:")


@pytest.mark.parametrize("indent", ["    ", "\t"])
def test_a_traceback_pasted_indented_as_a_whole_is_read(indent):
    text = "My training stops with:\n\n" + "".join(indent + line + "\n" for line in TRACE) + "\nAny idea?"
    final = parse(text).traces[0].final
    assert final.type == "ValueError" and final.frames[0].filename == "train.py"
    assert final.message.endswith("Please check the target modules and try again.")


@pytest.mark.parametrize("prefix", ["", "(ActorModelRayActor pid=700388) "])
def test_frames_whose_code_lines_lost_their_indentation_are_read(prefix):
    """A chat or a log prefix that strips leading spaces leaves each frame's code line at the frame's column:
    the frames are still the traceback's, each with its code line."""
    text = "\n".join(prefix + line for line in (
        "Traceback (most recent call last):",
        'File "/x/openrlhf/trainer/ray/vllm_engine.py", line 95, in update',
        'return self.llm.collective_rpc("update_weight")',
        'File "/x/vllm/entrypoints/llm.py", line 495, in collective_rpc',
        "executor = self.llm_engine.model_executor",
        "AttributeError: 'LLMEngine' object has no attribute 'model_executor'"))
    (trace,) = parse(text).traces
    (exc,) = trace.exceptions
    assert exc.type == "AttributeError"
    assert [(f.name, f.line, f.library) for f in exc.frames] == [
        ("update", 'return self.llm.collective_rpc("update_weight")', None),
        ("collective_rpc", "executor = self.llm_engine.model_executor", "vllm")]


def test_a_full_width_frame_line_is_not_joined_to_its_code_line():
    frame = '  File "/srv/app/peft/src/peft/config.py", line 134, in from_pretrained'
    frame = frame.replace("/srv/app", "/srv/app" + "x" * (80 - len(frame)))  # exactly the terminal's width
    text = "\n".join([
        "Traceback (most recent call last):",
        '  File "model_inference/Efficient-Tuning-LLMs/chatllms/utils/apply_lora.py", lin',
        "e 69, in apply_lora",
        "    model = PeftModel.from_pretrained(base_model, lora_model_path)",
        frame,
        "    config = config_cls(**kwargs)",
        "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'loftq_confi",
        "g'"])
    trace = parse(text).traces[0]
    assert [f.name for f in trace.final.frames] == ["apply_lora", "from_pretrained"]
    assert trace.final.frames[1].line == "config = config_cls(**kwargs)"
    assert trace.final.message.endswith("'loftq_config'")


def test_multiline_message_and_carriage_return_progress():
    log = parse(" 10%|█         | 1/10 [00:01<00:09]\r 20%|██        | 2/10 [00:02<00:08]\r\n"
                "RuntimeError: Error(s) in loading state_dict for CLIP:\n"
                "\tsize mismatch for visual.conv1.weight: copying a param with shape torch.Size([1024, 3, 14, 14])\n"
                "\tsize mismatch for visual.ln_pre.weight: copying a param with shape torch.Size([1024])\n")
    assert log.lines[0].startswith(" 20%")
    msg = log.traces[0].final.message
    assert msg.count("size mismatch") == 2


def test_chinese_prose_around_the_error():
    trace = only("训练到一半报错了，求助！\nValueError: Asking to pad but the tokenizer does not have a padding token.\n谢谢大家")
    assert trace.final.message.startswith("Asking to pad")


def test_warning_lines_become_traces():
    log = parse("/x/site-packages/peft/tuners/tuners_utils.py:123: UserWarning: Model with `tie_word_embeddings=True`\n")
    assert log.traces[0].final.type == "UserWarning"


def test_prose_is_not_an_exception():
    assert parse("Exception handling is hard.\nERROR: could not find a version\nAll done").traces == ()


def test_library_detection():
    assert library_of("/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py") == "torch"
    assert library_of(r"C:\Python311\Lib\site-packages\transformers\trainer.py") == "transformers"
    assert library_of("/root/LLaMA-Factory/src/llamafactory/train/tuner.py") == "llamafactory"
    assert library_of("/home/me/diffusers/src/diffusers/models/unet_2d_condition.py") == "diffusers"
    assert library_of("/usr/lib/python3.11/runpy.py") == "python"
    assert library_of("/home/me/train.py") is None


def test_wrapped_exception_is_unwrapped():
    trace = only("jax._src.traceback_util.UnfilteredStackTrace: flax.errors.ScopeParamShapeError: "
                 "Initializer expected to generate shape (16,) but got shape (32,) instead for parameter \"bias\"")
    assert trace.final.type == "flax.errors.ScopeParamShapeError"
    assert trace.final.message.startswith("Initializer expected")


def test_ray_wrapper_names_the_workers_exception_when_the_paste_ends_at_it():
    log = parse('Traceback (most recent call last):\n'
                   '  File "/usr/lib/python3/dist-packages/ray/_private/worker.py", line 929, in get_objects\n'
                   '    raise value.as_instanceof_cause()\n'
                   'ray.exceptions.RayTaskError(ImportError): ray::TaskRunner.run() (pid=2384, ip=10.0.0.2)\n')
    assert [t.final.type for t in log.traces] == ["ImportError"]
    assert log.traces[0].final.message.startswith("ray::TaskRunner.run()")


def test_ray_wrapper_followed_by_the_workers_traceback_keeps_its_exception_last():
    log = parse('ray.exceptions.RayTaskError(AssertionError): ray::TaskRunner.run() (pid=2384)\n'
                   '  File "/root/verl/verl/workers/fsdp_workers.py", line 150, in __init__\n'
                   '    assert x > 0\n'
                   'AssertionError: ppo_mini_batch_size 0 should be larger than 0 after normalization\n')
    assert log.traces[-1].final.type == "AssertionError"
    assert log.traces[-1].final.message.startswith("ppo_mini_batch_size 0")


def test_message_continues_over_a_blank_line_when_indented():
    trace = only("_pickle.UnpicklingError: Weights only load failed. This file can still be loaded:\n"
                 "\t(1) Re-running `torch.load` with `weights_only` set to `False` will likely succeed.\n\n"
                 "\tWeightsUnpickler error: Unsupported operand 118\n\nCheck the documentation of torch.load.")
    assert "Unsupported operand 118" in trace.final.message
    assert "Check the documentation" not in trace.final.message


def test_a_few_words_are_a_description_and_a_screenshot_does_not_count():
    text = ('<img width="476" alt="shot" src="https://github.com/user-attachments/assets/aa76c125.png">\n'
            "image_size I set is 518\n"
            "x is [1, 1370, 1024] that is right, but self.positional_embedding is [577,1024]\n"
            "![screenshot](https://user-images.githubusercontent.com/1/2.png)\n")
    log = parse(text)
    assert log.described and not log.traces
    assert "positional_embedding" in log.headless[0].final.message
    assert "<img" not in log.headless[0].final.message


def test_a_run_log_without_an_error_is_not_a_description():
    log = parse("2024-08-06 10:44:38 | INFO | loading model\n{'loss': 1.93, 'epoch': 0.1}\n")
    assert not log.described and not log.traces and not log.headless


def test_a_terminal_wrap_at_a_space_or_inside_one_word_is_joined():
    said = "TypeError: DPOTrainer.__init__() got an unexpected keyword argument 'beta'. It seems"
    first = "I got a" + " " * (80 - len("I got a") - len(said[:40]) - 1) + " " + said[:40]
    first, second = (first + said[40:])[:79] + " ", (first + said[40:])[79:].lstrip() + " ok then"
    assert len(first) == 80 and first.endswith("e ") is False and first[-1] == " " and first[-2] != " "
    final = parse(first + "\n" + second).traces[0].final
    assert final.type == "TypeError" and "unexpected keyword argument 'beta'" in final.message
    one_cut = "ValueError: jaxlib is version 0.1.69, but this version of jax needs at least version 0.1.74."
    assert one_cut[:80].endswith(" ver")  # the terminal cut inside a word
    final = parse("import jax\n" + one_cut[:80] + "\n" + one_cut[80:]).traces[0].final
    assert final.message == "jaxlib is version 0.1.69, but this version of jax needs at least version 0.1.74."


def test_a_rich_panel_or_a_ranks_frame_as_wide_as_the_terminal_is_not_joined():
    # a rich traceback's panel is as wide as the terminal: every one of its lines is full, none was cut
    inner = ["/x/site-packages/deepspeed/runtime/zero/stage_1_and_2.py:282 in __init__",
             "",
             "❱  282 │   self.dtype = self.optimizer.param_groups[0]['params'][0].dtype"]
    panel = (["╭" + " Traceback (most recent call last) ".center(78, "─") + "╮"]
             + ["│ " + line.ljust(76) + " │" for line in inner] + ["╰" + "─" * 78 + "╯"])
    assert {len(line) for line in panel} == {80}
    final = parse("\n".join(panel) + "\nIndexError: list index out of range").traces[0].final
    assert final.type == "IndexError" and [f.name for f in final.frames] == ["__init__"]
    # two ranks' frame lines without code lines, each exactly as wide as a terminal: the next rank's line is no
    # continuation of them
    tail = '/site-packages/deepspeed/runtime/zero/stage_1_and_2.py", line 334, in __init__'
    frame = '  File "/opt/' + "d" * (120 - len('[rank0]:  File "/opt/' + tail)) + tail
    assert len("[rank0]:" + frame) == 120
    log = parse("\n".join(f"[rank{r}]:{frame}\n[rank{r}]: IndexError: list index out of range" for r in (0, 1)))
    assert [(t.rank, t.final.type, [f.name for f in t.final.frames]) for t in log.traces] == \
        [(0, "IndexError", ["__init__"]), (1, "IndexError", ["__init__"])]


def test_a_full_width_line_before_a_line_of_its_own_is_not_joined():
    line = "RuntimeError: org/model does not appear to have a file named config.json. Check "
    line = line[:79] + "."
    assert len(line) == 80
    log = parse(line + "\nroot@84e46c931c26:/workspace# ls")
    assert log.lines[0] == line and log.lines[1] == "root@84e46c931c26:/workspace# ls"


def test_html_entities_keep_every_line_where_it_was():
    """Entities are read line by line: an entity newline inside a line (an attribute's value) does not
    move the lines after it, which an editor's diagnostics point at by number."""
    pasted = ("step 1 loss=2.3\n<span title=\"a&#10;b\">x</span>\nTraceback (most recent call last):\n"
              "  File &quot;train.py&quot;, line 3, in &lt;module&gt;\n"
              "KeyError: &#39;labels&#39;")
    log = parse(pasted)
    assert len(log.lines) == 5 and log.lines[1] == '<span title="a b">x</span>'
    final = log.traces[0].final
    assert final.line == 4 and final.type == "KeyError" and final.message == "'labels'"
    assert final.frames[0].filename == "train.py" and final.frames[0].name == "<module>"
    one_line = parse("KeyError: &#39;labels&#39;&#10;")  # a single blob: its entity newlines are its lines
    assert one_line.traces[0].final.message == "'labels'"


@pytest.mark.parametrize("form", ["no-break spaces", "typographic quotes", "HTML entities", "full-width colon",
                                  "zero-width space"])
def test_characters_a_page_or_chat_app_puts_in_are_read_as_plain_ones(form):
    plain = ('Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n    main()\n'
             "TypeError: LlamaModel.forward() got an unexpected keyword argument 'labels'")
    pasted = {
        "no-break spaces": plain.replace(" ", "\xa0"),
        "typographic quotes": plain.replace('"train.py"', "\u201ctrain.py\u201d").replace("'labels'", "\u2018labels\u2019"),
        "HTML entities": plain.replace('"', "&quot;").replace("'", "&#39;"),
        "full-width colon": plain.replace("TypeError: ", "TypeError\uff1a"),
        "zero-width space": plain.replace("TypeError", "Type\u200bError"),
    }[form]
    final = parse(pasted).traces[0].final
    assert final.type == "TypeError" and final.frames[0].filename == "train.py"
    assert final.message == "LlamaModel.forward() got an unexpected keyword argument 'labels'"


def test_a_private_exception_class_is_an_exception_line():
    """numpy raises numpy.core._exceptions._ArrayMemoryError (a MemoryError): its leading underscore
    does not make the line prose."""
    trace = only("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.41 GiB for an array with shape (8, 1024, 50000)")
    assert trace.final.short_type == "_ArrayMemoryError" and trace.final.message.startswith("Unable to allocate")
    assert only("训练时报错numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.41 GiB").final.short_type == "_ArrayMemoryError"


def test_a_paused_debuggers_exception_reads_as_a_traceback_with_its_frames_oldest_first():
    """VS Code's "Exception has occurred: T" ("发生异常: T" in Chinese) with the message below it and the frames
    under the message, most recent first, and no exception line: the type and message make the exception line,
    the frames come oldest first, and the log keeps the paste's lines."""
    paste = ("发生异常: KeyError       (note: full exception trace is shown but execution is paused at: _run_module_as_main)\n"
             "'instruction'\n"
             '  File "/home/u/LLaMA-Factory/src/llamafactory/data/converter.py", line 120, in __call__\n'
             "    prompt = example[self.dataset_attr.prompt]\n"
             '  File "/home/u/train.py", line 5, in <module>\n'
             "    main()\n")
    log = parse(paste)
    (trace,) = log.traces
    assert (trace.final.type, trace.final.message) == ("KeyError", "'instruction'")
    assert [f.name for f in trace.final.frames] == ["<module>", "__call__"]
    assert log.lines[0].startswith("发生异常: KeyError")
    # a type with no message below it is no exception to read
    assert not parse("Exception has occurred: KeyError\n\nsomething else\n").traces


def test_an_exception_line_that_closes_inline_code_opened_above_is_read():
    log = parse("I got the error:\n`assert torch.all(0 <= bbox) and torch.all(bbox <= 1023)\nAssertionError`\n\nAny idea?")
    assert log.traces[0].final.type == "AssertionError"
    assert parse("**Traceback:\nValueError: bad value**").traces[0].final.message == "bad value"
