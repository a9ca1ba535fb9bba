"""Signature matching on its own: levels (full, loose, fragment), conditions, near misses, RE2."""

import time

import pytest

from kbfix import corpus as corpus_mod
from kbfix import traceback as tb
from kbfix.engine import signatures
from kbfix.engine.candidates import primary as primary_error
from kbfix.model import Entry, Signature, Text

OOM = Signature("oom", exception=r"(?:torch\.)?(?:cuda\.)?OutOfMemoryError|RuntimeError",
                message=r"CUDA out of memory\. Tried to allocate (?P<size>[\d.]+ [GM]iB)")
SIZE = Signature("size", exception="RuntimeError",
                 message=r"size mismatch for (?P<key>[\w.]+): copying a param with shape torch\.Size\(\[(?P<ckpt>[\d, ]+)\]\) "
                         r"from checkpoint, the shape in current model is torch\.Size\(\[(?P<model>[\d, ]+)\]\)")
DICT = Signature("dict", exception="ValueError", message=r"Dict key mismatch; expected keys: (?P<expected>\[.*?\]); dict: ")
EMPTY = Signature("empty", exception="IndexError", message="list index out of range", frames=[r"deepspeed/runtime/zero"])


def entry(*sigs: Signature, entry_id: str = "e") -> Entry:
    return Entry(entry_id, Text("t", "t"), ("torch",), tuple(sigs), (), ("https://x",), Text("", ""), "/x")


def hits(text: str, *sigs: Signature):
    log = tb.parse(text)
    traces = list(log.traces) + list(log.headless)
    found = []
    for trace in traces or [None]:
        found += signatures.match((entry(*sigs),), trace, log)
    return found


def test_full_hit_captures_values():
    (hit,) = hits("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has", OOM)
    assert hit.level == signatures.FULL and hit.captures == {"size": "2.00 GiB"} and not hit.partial


OOM_FREE = Signature("oom-free", exception=r"(?:torch\.)?(?:cuda\.)?OutOfMemoryError|RuntimeError",
                     message=r"CUDA out of memory\. Tried to allocate (?P<size>[\d.]+ [KMG]iB)\. GPU \d+ has a total "
                             r"capacity of [\d.]+ [KMG]iB of which (?P<free>[\d.]+ [KMG]iB) is free")


def test_an_allocation_refused_beside_many_free_gib_is_a_near_miss():
    full = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 214.00 MiB. GPU 1 has a total capacity of 22.00 GiB of which {} is free"
    (refused,) = hits(full.format("20.28 GiB"), OOM_FREE)
    assert refused.partial                             # far more free than asked: not the device being full
    (full_device,) = hits(full.format("562.06 MiB"), OOM_FREE)
    assert not full_device.partial                     # a little more free than asked is fragmentation / other use
    assert signatures.contradicted({"size": "1.16 GiB", "free": "1.17 GiB"}) is False
    assert signatures.contradicted({"size": "2.0G", "free": "30.0G"}) is False     # another wording's units: not read


def test_another_exception_type_is_a_loose_hit():
    text = "ValueError: wrapped: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.79 GiB total)"
    (hit,) = hits(text, OOM)
    assert hit.level == signatures.LOOSE and hit.captures["size"] == "20.00 MiB"


def test_a_paste_without_its_exception_line_is_a_loose_hit():
    text = """        size mismatch for blocks.5.norm2.weight: copying a param with shape torch.Size([384]) from checkpoint, the shape in current model is torch.Size([1536]).
        size mismatch for blocks.5.norm2.bias: copying a param with shape torch.Size([384]) from checkpoint, the shape in current model is torch.Size([1536])."""
    (hit,) = hits(text, SIZE)
    assert hit.level == signatures.LOOSE and hit.exc.type == "" and hit.captures["ckpt"] == "384"


def test_a_message_cut_off_is_a_fragment_hit():
    text = "ValueError: Dict key mismatch; expected keys: ['SigLiPFromPatches_0', 'transfor"
    (hit,) = hits(text, DICT)
    assert hit.level == signatures.FRAGMENT and hit.matched.startswith("Dict key mismatch")


MULTI = Signature("multi", exception="ValueError",
                  message=r"You can.t train a model that has been loaded in 8-bit precision on multiple devices")
OFFLOAD = Signature("offload", exception="ValueError",
                    message=r"You can.t train a model that has been loaded in 8-bit precision with CPU or disk offload")
OFFLOAD_IN_TRAINER = Signature("offload-trainer", exception="ValueError", message=OFFLOAD.message,
                               frames=[r"trainer\.py"])


def two_entries(text: str, offload: Signature = OFFLOAD, refines: tuple[str, ...] = ()):
    log = tb.parse(text)
    general = entry(MULTI, entry_id="multi")
    specific = Entry("offload", Text("t", "t"), ("torch",), (offload,), (), ("https://x",), Text("", ""), "/x",
                     refines=refines)
    return {h.entry_id: h for trace in log.traces for h in signatures.match((general, specific), trace, log)}


def test_a_message_cut_before_two_entries_wordings_part_is_a_near_miss_of_both():
    cut = "ValueError: You can't train a model that has been loaded in 8-bit prec"
    found = two_entries(cut)
    assert set(found) == {"multi", "offload"}
    assert all(h.level == signatures.FRAGMENT and h.partial for h in found.values())
    # cut after they part, the cut text is a fragment of one wording only
    found = two_entries("ValueError: You can't train a model that has been loaded in 8-bit precision with CPU or di")
    assert set(found) == {"offload"} and not found["offload"].partial
    # the general entry that the other refines is right whichever it was
    found = two_entries(cut, refines=("multi",))
    assert found["multi"].partial is False and found["offload"].partial is True
    # frames that held say more than the cut words: that hit stands
    found = two_entries('Traceback (most recent call last):\n  File "/x/trainer.py", line 1, in train\n' + cut,
                        offload=OFFLOAD_IN_TRAINER)
    assert found["offload"].partial is False and found["multi"].partial is False


WRAP = Signature("wrap", exception="Exception|ValueError",
                 message=r"Could not find the transformer layer class (?:to wrap|(?P<layer_class>[^\n]*?)) in the model",
                 unless=[r"Could not find the transformer layer class [A-Za-z] in the model"])
RAISED = """Traceback (most recent call last):
  File "/x/site-packages/transformers/trainer.py", line 1442, in _wrap_model
    {line}
Exception: Could not find the transformer layer clas"""


@pytest.mark.parametrize("line, level", [
    ('raise Exception("Could not find the transformer layer class to wrap in the model.")', signatures.FULL),
    ("raise Exception('Could not find the transformer layer class to wrap in the model.')", signatures.FULL),
    # the cut may hide the exclusion's words, and nothing above says which message it was
    ("raise Exception(", None),
    ('raise Exception(f"Could not find the transformer layer class {name} in the model.")', None),
    ('raise Exception("Could not find the transformer layer class " + name)', None),
    ('raise Exception("Some other message entirely.")', None),
])
def test_a_message_cut_short_under_its_raise_line_is_read_whole_from_that_line(line, level):
    found = hits(RAISED.format(line=line), WRAP)
    assert [h.level for h in found] == ([level] if level else [])
    if level:
        assert found[0].matched == "Could not find the transformer layer class to wrap in the model"


def test_the_raise_lines_whole_message_is_what_the_exclusions_read():
    (hit,) = hits(RAISED.format(line='raise Exception("Could not find the transformer layer class L in the model.")'), WRAP)
    assert hit.partial


ROLES = Signature("roles", exception="TemplateError|ValueError",
                  message=r"(?P<reason>(?:After the optional system message, c|C)onversation roles must alternate "
                          r"user/assistant(?:/user/assistant)?|System role not supported)")


def test_a_wording_that_is_one_alternation_of_messages_is_cut_from_one_of_them():
    (hit,) = hits("jinja2.exceptions.TemplateError: Conversation roles must alternate ", ROLES)
    assert hit.level == signatures.FRAGMENT and hit.matched.endswith("onversation roles must alternate")
    # each branch is measured as its own wording: too little of it, or another message there, fires nothing
    assert hits("TemplateError: Conversation roles m", ROLES) == []
    assert hits("TemplateError: Conversation roles must be unique per turn, got 3", ROLES) == []
    assert hits("TemplateError: Conversation roles must alternate user/assistant/user/assistant/...", ROLES)[0].level \
        == signatures.FULL


BARE = Signature("bare", exception="TypeError",
                 message=r"""(?P<cls>\b\w*Model)\.forward\(\) got an unexpected keyword argument ['"‘’`]labels['"‘’`]""")
WORDING_KEPT = "TypeError: LlamaModel.forward() got an unexpected keyword argument "


@pytest.mark.parametrize("tail", ["'lab", "'", "", ])
def test_a_message_cut_inside_or_before_its_last_word_is_a_fragment(tail):
    (hit,) = hits(WORDING_KEPT + tail, BARE)
    assert hit.level == signatures.FRAGMENT


def test_another_word_where_the_wording_goes_on_is_no_fragment():
    """One quote stands before 'labels': a whole message with another argument there was not cut."""
    assert hits(WORDING_KEPT + "'num_items_in_batch'", BARE) == []
    assert hits(WORDING_KEPT + "'labels'", BARE)[0].level == signatures.FULL


def test_other_words_where_a_group_goes_on_are_no_fragment():
    """Literal runs split only by a group boundary are one wording: after the first, the message must go
    on with the group's words (or end inside them); a sibling message's words there are no cut."""
    reason = Signature("reason", exception="SafetensorError",
                       message=r"Error while deserializing header: (?P<reason>InvalidHeaderDeserialization)")
    assert hits("SafetensorError: Error while deserializing header: HeaderTooLarge", reason) == []
    (hit,) = hits("SafetensorError: Error while deserializing header: InvalidHead", reason)
    assert hit.level == signatures.FRAGMENT


SPACED = Signature("spaced", message=r"Quantization\s+method\s+specified\s+in\s+the\s+model\s+config\s*\((?P<config>[^()\n]*)\)"
                                      r"\s*does\s+not\s+match\s+the\s+quantization\s+method\s+specified\s+in\s+the\s+`?quantization`?\s+argument")


def test_whitespace_in_a_wording_is_layout_when_a_fragment_is_measured():
    """``\\s+`` between the words says nothing a cut can lose: a message cut two thirds in is a fragment;
    one cut before half its words, or going on with other words, is not."""
    message = "ValueError: Quantization method specified in the model config (gptq) does not match the quantization method specified in the `quantization` argument (awq)."
    (hit,) = hits(message[:120], SPACED)
    assert hit.level == signatures.FRAGMENT
    assert hits(message[:70], SPACED) == []
    assert hits(message[:100] + " xyz and more words", SPACED) == []


def test_a_cut_before_the_value_in_a_named_group_is_no_fragment():
    gguf = Signature("gguf", text=r"Error no file named [^\n]*?(?:pytorch_model\.bin|model\.safetensors)[^\n]*? found in directory (?P<repo>\S*gguf\S*)")
    cut = "OSError: Error no file named pytorch_model.bin, model.safetensors, tf_model.h5 found in direct"
    assert hits(cut, gguf) == []
    (hit,) = hits(cut + "ory models/qwen-gg", gguf)
    assert hit.level == signatures.FRAGMENT


def test_a_message_that_ends_where_a_named_groups_words_would_start_is_no_fragment():
    """The key list ended with a full stop, which is also how '._extra_state' starts: no letter of the words the
    signature is about is shown, so the message is a whole one about another key, not a cut one."""
    extra = Signature("extra", exception="RuntimeError",
                      message=r"Missing key in checkpoint state_dict:\s*(?P<key>[\w.]*\._extra_state)\b")
    assert hits("RuntimeError: Missing key in checkpoint state_dict: layers.0.attention.k_norm.weight.", extra) == []
    (hit,) = hits("RuntimeError: Missing key in checkpoint state_dict: decoder.layers.0.self_attention._extra_st", extra)
    assert hit.level == signatures.FRAGMENT
    # a word the group captures is shown (the token's name): cut before the rest of the group is a fragment
    token = Signature("token", exception="AttributeError",
                      message=r"can't set attribute ['\"]?(?P<attr>(?:bos|eos|pad)_token(?:_id)?)\b")
    (hit,) = hits("AttributeError: can't set attribute 'eos", token)
    assert hit.level == signatures.FRAGMENT


def test_a_sentence_in_another_script_glued_after_the_message_is_not_part_of_it():
    ended = Signature("ended", exception="RuntimeError|Exception", message=r"^cublasLt ran into an error!?\s*$")
    for glued in ("というエラーが出ました。", " 라는 에러가 발생했습니다", "，怎么解决"):
        (hit,) = hits("RuntimeError: cublasLt ran into an error!" + glued, ended)
        assert hit.level == signatures.FULL
    # a message whose own words are in that script, or that goes on in Latin, is read as it is
    assert hits("RuntimeError: cublasLt ran into an error! see 日志", ended) == []
    assert signatures._without_glued_prose("数据集为空") is None


def test_a_cut_that_may_hide_an_exclusion_is_no_fragment():
    frames = Signature("frames", message=r"Invalid\s+input\s+features\s+shape:\s+expected\s+an\s+input\s+with\s+shape\s+\(\d+,\s+\d+,\s+(?P<expected>\d+)\),\s+but\s+got\s+an\s+input\s+with\s+shape\s+\(\d+,\s+\d+,\s+(?P<found>\d+)\)",
                       unless=[r"expected\s+an\s+input\s+with\s+shape\s+\(\d+,\s+128,\s+\d+\),\s+but\s+got\s+an\s+input\s+with\s+shape\s+\(\d+,\s+80,"])
    assert hits("ValueError: Invalid input features shape: expected an input with shape (1, 128, 3000), but got an input wi", frames) == []
    (hit,) = hits("ValueError: Invalid input features shape: expected an input with shape (1, 80, 3000), but got an input wi", frames)
    assert hit.level == signatures.FRAGMENT


LOGGED = Signature("logged", text=r"num_samples should be a positive integ\w* value, but got num_samples=0\b")


def test_a_log_line_the_paste_cut_off_is_a_fragment_of_a_text_wording():
    (hit,) = hits('I meet "ValueError: num_samples should be a positive integer va', LOGGED)
    assert hit.level == signatures.FRAGMENT
    (hit,) = hits("num_samples should be a positive integer value, but ...\nthen my question", LOGGED)
    assert hit.level == signatures.FRAGMENT and hit.lines == (0,)
    # a line that goes on past an elision inside it (a shortened path) was not cut; nor a line mid-log
    assert hits("num_samples should be a positive integer (...) value\nnext line", LOGGED) == []
    assert hits("num_samples should be a positive integer va\nnext line", LOGGED) == []


def test_a_wording_that_starts_its_next_words_and_goes_on_otherwise_is_no_fragment():
    busy = Signature("busy", text=r"TPU initialization failed: open\((?P<device>/dev/(?:accel\d+|vfio/\d+))\): Device or resource busy")
    assert hits("RuntimeError: TPU initialization failed: open(/dev/accel2): Operation not permitted", busy) == []
    (hit,) = hits("RuntimeError: TPU initialization failed: open(/dev/accel2): Device or res", busy)
    assert hit.level == signatures.FRAGMENT


def test_a_repeated_class_stops_where_it_stops():
    """``'[\\w.]*InputExample'>``: a complete class name that is not InputExample ends the class; the words
    after it are no cut of the wording, and the same words far later in the text are not its continuation."""
    collate = Signature("collate", exception="TypeError", message=r"batch\s+must\s+contain\s+tensors,\s+numbers,\s+dicts\s+or\s+lists;\s+found\s+<class\s+'[\w.]*InputExample'>")
    assert hits("TypeError: batch must contain tensors, numbers, dicts or lists; found <class 'torch_geometric.data.Data'>`", collate) == []
    (hit,) = hits("TypeError: batch must contain tensors, numbers, dicts or lists; found <class 'sentence_transformers.readers.InputExam", collate)
    assert hit.level == signatures.FRAGMENT
    named = Signature("named", exception="ValueError", message=r"Unrecognized image processor in\s+(?P<model>\S*?qwen2\.?5[-_ ]?vl\S*?)\.?\s+Should have a `image_processor_type` key")
    assert hits("ValueError: Unrecognized image processor in meta-llama/Llama-4. Should have a `image_processor_type` key in its, or one of qwen2_5_vl, qwe", named) == []


def test_a_cut_inside_a_captured_value_before_the_words_that_end_it_is_no_fragment():
    top = Signature("top", text=r"(?:ModuleNotFoundError|ImportError): No module named '(?P<module>[A-Za-z_]\w*)'")
    assert hits("ModuleNotFoundError: No module named 'vllm", top) == []  # 'vllm' or 'vllm.engine.ray_utils'?


def test_the_prefilter_asks_a_fragmentable_text_wording_only_for_its_start():
    assert signatures.signature_literals(LOGGED) == ("num_samples",)


def test_a_text_wording_is_read_for_a_fragment_only_when_a_cut_line_holds_its_first_words():
    assert signatures.fragment_start(LOGGED.text) == "num_samples should be a positive integ"
    assert signatures.fragment_start("CUDA out of memory") is None  # too short to fire cut off
    from kbfix.engine.documents import prepare
    from kbfix import corpus as corpus_mod

    prepared = prepare(corpus_mod.load_default())
    assert prepared.fragment_starts and all(v is None or isinstance(v, str) for v in prepared.fragment_starts.values())


def test_too_short_a_start_is_no_fragment():
    assert hits("ValueError: Dict key mis", DICT) == []


def test_frames_condition_and_near_miss():
    framed = '''Traceback (most recent call last):
  File "/x/site-packages/deepspeed/runtime/zero/stage_1_and_2.py", line 236, in __init__
    self.dtype = self.optimizer.param_groups[0]['params'][0].dtype
IndexError: list index out of range'''
    (hit,) = hits(framed, EMPTY)
    assert hit.level == signatures.FULL and not hit.partial
    user = framed.replace("site-packages/deepspeed/runtime/zero/stage_1_and_2.py", "home/me/train.py")
    (near,) = hits(user, EMPTY)
    assert near.partial  # the wording matched, the frames rule it out: evidence against


def test_a_wordless_message_needs_its_exception_type():
    """A signature whose message matches anything ('.*') is its exception type and frames: another error
    is no loose hit of it, and no near miss either (that would be 'the wording matched' on every error)."""
    bare = Signature("bare", exception="AssertionError", message=".*", frames=[r"flash_attn[/\\]"])
    framed = ('Traceback (most recent call last):\n  File "/x/site-packages/flash_attn/flash_attn_interface.py", '
              'line 1, in f\n    assert q.dtype in [torch.float16, torch.bfloat16]\n{}')
    (hit,) = hits(framed.format("AssertionError"), bare)
    assert hit.level == signatures.FULL and not hit.partial
    assert hits(framed.format("AttributeError: 'Identity' object has no attribute 'weight'"), bare) == []


def test_facts_and_unless_facts_decide():
    prefix = Signature("prefix", exception="RuntimeError", message=r"Missing key\(s\) in state_dict:", facts=("prefix",))
    text = ('RuntimeError: Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc.weight", "fc.bias". \n'
            '\tUnexpected key(s) in state_dict: "module.fc.weight", "module.fc.bias". ')
    (hit,) = hits(text, prefix)
    assert not hit.partial and hit.captures["prefix"] == "module."
    other = text.replace('"module.fc.weight", "module.fc.bias"', '"head.weight", "head.bias"')
    assert hits(other, prefix) == []  # the fact does not show: no hit, and no evidence against either
    ruled_out = Signature("prefix", exception="RuntimeError", message=r"Missing key\(s\) in state_dict:",
                          unless_facts=("prefix",))
    (near,) = hits(text, ruled_out)
    assert near.partial  # a fact that speaks against the entry is a near miss


def test_captures_that_contradict_the_entry_make_a_near_miss():
    vocab = Signature("vocab", exception="RuntimeError",
                      message=r"size mismatch for (?P<key>[\w.]+): copying a param with shape torch\.Size\(\[(?P<ckpt_vocab>\d+), \d+\]\) "
                              r"from checkpoint, the shape in current model is torch\.Size\(\[(?P<model_vocab>\d+), \d+\]\)")
    text = ("RuntimeError: Error(s) in loading state_dict for M:\n\tsize mismatch for embed.weight: copying a param with shape "
            "torch.Size([128, 64]) from checkpoint, the shape in current model is torch.Size([128, 32]).")
    (hit,) = hits(text, vocab)
    assert hit.partial  # 128 rows on both sides: not a vocabulary difference


ATTACKS = [
    "ImportError: " + "a==1," * 50 + "==1" * 40 + "!",
    "Some weights of X were not initialized from the model checkpoint at y and are newly initialized: [" + "'a.b', " * 100_000,
    "Some weights of the model checkpoint at x were not used when initializing Y: ['" + "a." * 200_000,
    'RuntimeError: Error(s) in loading state_dict for M:\n\tMissing key(s) in state_dict: "' + "k." * 200_000
    + '"\n\tUnexpected key(s) in state_dict: "' + "k." * 150_000,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=["version-spec", "newly-initialized", "not-used", "missing-unexpected"])
def test_crafted_inputs_cannot_make_matching_backtrack(attack, engine):
    import kbfix

    engine.load_dense()  # loading is not what is timed
    kbfix.diagnose("RuntimeError: warm up", engine=engine)
    start = time.perf_counter()
    kbfix.diagnose(attack, engine=engine)
    assert time.perf_counter() - start < 1.0


def test_corpus_check_rejects_what_re2_cannot_run(tmp_path):
    from conftest import ROOT
    import shutil

    root = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus" / "no-trainable-parameters", root / "no-trainable-parameters")
    path = root / "no-trainable-parameters" / "entry.md"
    path.write_text(path.read_text().replace("message = 'optimizer got an empty parameter list'",
                                             "message = 'optimizer got (?!a) empty parameter list'", 1))
    problems = [str(p) for p in corpus_mod.check(root)]
    assert any("RE2" in p and "(?!a)" in p for p in problems), problems


def test_corpus_check_rejects_a_control_character_a_toml_string_made_of_a_regex_escape(tmp_path):
    """requires = ["\\bdegrad"] in a TOML basic string is a backspace and "degrad": a regex that never matches."""
    from conftest import ROOT
    import shutil

    root = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus" / "no-trainable-parameters", root / "no-trainable-parameters")
    path = root / "no-trainable-parameters" / "entry.md"
    path.write_text(path.read_text().replace("message = 'optimizer got an empty parameter list'",
                                             'message = "optimizer got an \\bempty parameter list"', 1))
    assert "\\bempty" in path.read_text()
    problems = [str(p) for p in corpus_mod.check(root)]
    assert any("control character '\\x08'" in p for p in problems), problems


def test_literal_prefilter_asks_for_what_every_match_holds():
    # a wording long enough for a fragment: the start of its first run (a cut message may stop
    # anywhere after it; the fragment checks what is there run by run)
    assert signatures.signature_literals(DICT) == ("dict key mis",)
    short = Signature("short", exception="KeyError", message=r"no (?P<k>\w+) in (?P<d>\w+) here")
    # too short to fire cut, no run of 8+ (its words never cover enough to fire cut): the regex decides
    assert signatures.signature_literals(short) == ()
    # one literal run: a fragment must find it whole, so its start is asked for
    assert signatures.signature_literals(EMPTY) == ("list index o",)
    text = signatures.LogText("IndexError: list index out of range")
    assert all(text.has(word) for word in signatures.signature_literals(EMPTY))


def test_a_wording_with_a_short_first_run_cut_in_its_last_part_passes_the_prefilter_as_a_fragment():
    """A wording whose first run is short ("Using ") asks the prefilter only for the runs every fragment shows whole
    (those before half of its words) and the start of the run where that much is reached: a message cut in its
    last words ("... requires Acc") still reaches the fragment check instead of being skipped unread."""
    sig = Signature("acc", exception="ImportError",
                    message=r"Using [`'\"]?low_cpu_mem_usage=True[`'\"]? or a [`'\"]?device_map[`'\"]? requires "
                            r"Accelerate:?\s+[`'\"]?pip install accelerate")
    literals = signatures.signature_literals(sig)
    assert "requires accelerate" not in literals and "low_cpu_mem_usage=true" in literals
    sig_entry = entry(sig)
    for text, level in (("ImportError: Using `low_cpu_mem_usage=True` or a `device_map` requires Acc", signatures.FRAGMENT),
                        ("ImportError: Using `low_cpu_mem_usage=True` or a `device_map` requires Accelerate: "
                         "`pip install accelerate`", signatures.FULL),
                        ("ImportError: Using `low_cpu_mem", None)):  # too little of the wording to say which message
        log = tb.parse(text)
        hits = signatures.match((sig_entry,), log.traces[0], log, literals={f"{sig_entry.id}/{sig.id}": literals})
        assert [h.level for h in hits if not h.partial] == ([level] if level else [])
        assert [h.level for h in signatures.match((sig_entry,), log.traces[0], log) if not h.partial] == \
            ([level] if level else [])  # the prefilter skips only what could not have fired


def test_the_prefilter_asks_for_one_word_of_each_branch_of_an_alternation():
    """A wording that is one alternation asks for one word of some branch: the start of its first words where
    the branch is long enough to fire cut (a message cut after them still holds them), else its longest
    literal run; a whole-log text signature's context too. The first run of a wording with a capture after
    it is asked for by its start. Skipped signatures are exactly those that could not have fired."""
    either = Signature("either", exception="RuntimeError",
                       message=r"Unexpected key\(s\) in state_dict:|Missing key\(s\) in state_dict: (?P<k>.*)")
    assert signatures.signature_literals(either) == (("missing key(", "unexpected k"),)
    short = Signature("short", exception="RuntimeError", message=r"bad (?:dtype|shape) here|too many steps")
    assert signatures.signature_literals(short) == ((" here", "too many steps"),)  # too short to fire cut
    ctx = Signature("ctx", text=r"(?i)(?:\bq?lora\b|adapter_config\.json)", requires=[r"\bpeft\b|PeftModel"])
    assert signatures.signature_literals(ctx) == (("adapter_config.json", "lora"), ("peft", "peftmodel"))
    assert signatures.branch_words(r"a|bcde") is None  # a branch with no word of 4+ characters
    attr = Signature("attr", exception="AttributeError", message=r"^'NoneType' object has no attribute '(?P<s>c\w+)'$")
    assert signatures.signature_literals(attr) == ("nonetype",)  # quotes are not asked for: see below
    for text, fires in (("RuntimeError: Missing key(s) in state_dict: a.b", True),
                        ("RuntimeError: Unexpected key(s) in state_dict: a.b", True),
                        ("RuntimeError: Error(s) in loading state_dict", False)):
        log = tb.parse(text)
        literals = {"e/either": signatures.signature_literals(either)}
        assert bool(signatures.match((entry(either),), log.traces[0], log, literals=literals)) is fires
        assert bool(signatures.match((entry(either),), log.traces[0], log)) is fires


def test_a_wording_found_without_the_context_it_requires_is_a_near_miss_through_the_prefilter():
    """The context a message signature requires is not asked for by the prefilter: the wording found without it
    is evidence against the entry (a near miss), not silence that retrieval alone may fill."""
    sig = Signature("dict-tensor", exception="RuntimeError", message="Could not infer dtype of dict",
                    requires=["chat_template"])
    assert signatures.signature_literals(sig) == ("could not in",)  # the wording only, not the context
    sig_entry = entry(sig)
    literals = {f"{sig_entry.id}/{sig.id}": signatures.signature_literals(sig)}
    for text, partial in (("tokens = tokenizer.apply_chat_template(msgs)\nRuntimeError: Could not infer dtype of dict", False),
                          ("s = torch.as_tensor((state,))\nRuntimeError: Could not infer dtype of dict", True)):
        log = tb.parse(text)
        (hit,) = signatures.match((sig_entry,), log.traces[0], log, literals=literals)
        assert hit.partial is partial


def test_the_prefilter_finds_the_words_of_a_message_wrapped_over_lines():
    """A terminal or a post wraps a long message wherever it likes, inside a literal run the prefilter
    asks for: the prefilter looks across the wrap as the message match does."""
    text = ("ValueError: Dict key\nmismatch; expected keys: ['SigLiPFromPatches_0', 'Transformer_0']; dict: "
            "['img', 'txt']")
    log = tb.parse(text)
    sig_entry = entry(DICT)
    literals = {f"{sig_entry.id}/{DICT.id}": signatures.signature_literals(DICT)}
    assert literals[f"{sig_entry.id}/{DICT.id}"] == ("dict key mis",)  # the wrap falls inside it
    (hit,) = signatures.match((sig_entry,), log.traces[0], log, literals=literals)
    assert hit.level == signatures.FULL and hit.captures["expected"] == "['SigLiPFromPatches_0', 'Transformer_0']"


def test_a_cut_before_the_wordings_own_alternatives_is_not_a_fragment_of_it():
    """peft-adapter-saved-by-old-peft names the kwargs it is about (enable_lora, merge_weights): a message cut
    right before them, or one letter in, is the generic 'unexpected keyword argument' of every TypeError."""
    from kbfix.engine.signatures import _fragment

    pattern = r'''^(?:[\w.]*Config\.)?__init__\(\) got an unexpected keyword argument ['"](?P<kwarg>enable_lora|merge_weights)['"]'''
    for cut in ("__init__() got an unexpected keyword argument '", "__init__() got an unexpected keyword argument 'e"):
        assert _fragment(pattern, cut) is None
    assert _fragment(pattern, "__init__() got an unexpected keyword argument 'enable_lo") is not None


def test_a_message_cut_inside_the_wordings_first_words_is_a_fragment():
    """A paste that ends inside the first literal run (no later run to anchor it) still shows the
    wording's start; the prefilter asks only for that start, so the signature gets to look."""
    from kbfix.engine.signatures import _fragment

    pattern = r'''Dataset scripts are no longer supported, but found (?P<script>[^\s`'"*]+)'''
    assert _fragment(pattern, "Dataset scripts are no longer supported, but fou") == \
        "Dataset scripts are no longer supported, but fou"
    assert _fragment(pattern, "I got: Dataset scripts are no longer supported, but") == \
        "Dataset scripts are no longer supported, but"
    assert _fragment(pattern, "Dataset scripts are no lo") is None  # under half the wording
    assert _fragment(pattern, "Dataset scripts are no longer supported here, sorry") is None  # another message
    # cut inside the first words of a wording whose own alternatives come later: the generic frame
    kwargs = r'''__init__\(\) got an unexpected keyword argument ['"](?P<kwarg>enable_lora|merge_weights)['"]'''
    assert _fragment(kwargs, "__init__() got an unexpected keyword argume") is None
    log = tb.parse("RuntimeError: Dataset scripts are no longer supported, but fou")
    sig = Signature("scripts", exception="RuntimeError", message=pattern)
    literals = {f"e/{sig.id}": signatures.signature_literals(sig)}
    (hit,) = signatures.match((entry(sig),), log.traces[0], log, literals=literals)
    assert hit.level == signatures.FRAGMENT


def test_a_fragment_does_not_pass_over_an_unchecked_alternation():
    """accelerate's "Trying to set a tensor of shape ..." says what it is about (a [0] placeholder) in an
    alternation of branches that are not plain words: a message cut after it has not been checked there,
    and a real [32000, 4096] shape must not read as ZeRO-3's placeholder."""
    from kbfix.engine.signatures import _fragment

    pattern = (r'Trying to set a tensor of shape torch\.Size\(\[(?:0\]\) in "(?P<key>[\w.]+)" \(which has shape '
               r'torch\.Size\(\[(?P<m>[1-9][\d, ]*)|(?P<c>[1-9][\d, ]*)\]\) in "[\w.]+" \(which has shape '
               r'torch\.Size\(\[0)\]\)\), this looks? incorrect')
    assert _fragment(pattern, 'Trying to set a tensor of shape torch.Size([32000, 4096]) in "weight" (which has sha') is None
    plain = r'Trying to set a tensor of shape torch\.Size\(\[(?P<c>[\d, ]+)\]\) in "(?P<key>[\w.]+)" \(which has shape'
    assert _fragment(plain, 'Trying to set a tensor of shape torch.Size([32000, 4096]) in "weight" (which has sha')


def test_a_fragment_of_an_anchored_wording_starts_the_message():
    """config-saved-by-newer-release's Python 3.9 form is '^__init__() got ...': a cut
    'LoraConfig.__init__() got an unexpected keywo' is not its start."""
    from kbfix.engine.signatures import _fragment

    pattern = r'''^__init__\(\) got an unexpected keyword argument ['"](?P<kwarg>\w+)'''
    assert _fragment(pattern, "__init__() got an unexpected keywo")
    assert _fragment(pattern, "LoraConfig.__init__() got an unexpected keywo") is None


def test_a_cut_before_two_wordings_of_the_rest_is_still_a_fragment():
    """jax's Dict key mismatch goes on '; dict: ' (<= 0.7.1) or '; present keys: [...]' (>= 0.7.2): a
    paste cut inside the expected keys has not said which, and that is no reason to doubt it. Values
    a signature is about (a named group's alternatives) are: they come after the cut unseen."""
    from kbfix.engine.signatures import _fragment

    pattern = ("Dict key mismatch; expected keys: (?P<expected>\\[[^\\]]*\\]); "
               "(?:present keys: (?P<present>\\[[^\\]]*\\])|dict: )")
    cut = "Dict key mismatch; expected keys: ['SigLiPFromPatches_0/siglip_encoder', 'SigLiPFromPatches_0/LayerN"
    assert _fragment(pattern, cut) == cut
    named = r'''__init__\(\) got an unexpected keyword argument ['"](?P<kwarg>enable_lora|merge_weights)['"] here'''
    assert _fragment(named, "__init__() got an unexpected keyword argument") is None


def test_a_message_retyped_without_its_quotes_fires_loose():
    """Python quotes names in its messages; a message retyped into a post often loses them. The wording
    still fires, never as a full hit, and the prefilter does not ask for the quotes."""
    sig = Signature("mod", exception="ModuleNotFoundError|ImportError", message=r"^No module named '(?P<module>[\w.]+)'$")
    assert signatures.unquoted(sig.message) == r"^No module named '?(?P<module>[\w.]+)'?$"
    assert signatures.unquoted(r"""keyword argument ['"‘’`](?P<k>\w+)""") == r"""keyword argument ['"‘’`]?(?P<k>\w+)"""
    assert signatures.unquoted(r"""[^'"]+ and x'? and \' and plain""") == r"""[^'"]+ and x'? and \'? and plain"""
    assert signatures.unquoted(r"no quotes in this wording") is None
    # a named group without its ">" (corpus check rejects it; the scan must still end): the words before it count
    assert signatures.unquoted("a malformed group (?P<name 'x' in some long wording") == "a malformed group (?P<name '?x'? in some long wording"
    # a wording that is only a quoted name (a KeyError's message) is not loosened: a bare name is anything
    assert signatures.unquoted(r"""['"](?P<tensor>[\w.]*\.lora_[AB]\.weight)['"]""") is None
    for text, level, module in (("ModuleNotFoundError: No module named 'peft'", signatures.FULL, "peft"),
                                ("ModuleNotFoundError: No module named peft", signatures.LOOSE, "peft"),
                                ("I run it and get:\nNo module named flash_attn", signatures.LOOSE, "flash_attn")):
        log = tb.parse(text)
        literals = {"e/mod": signatures.signature_literals(sig)}
        hits = signatures.match((entry(sig),), primary_error(log), log, literals=literals)
        assert [(h.level, h.captures["module"]) for h in hits] == [(level, module)], text
    # quotes that are there delimit names: a loosened wording must not read "model" out of "model.bert..."
    keys = Signature("keys", exception="RuntimeError",
                     message=r'Unexpected key\(s\) in state_dict: (?:"[\w.]+", )*"(?P<key>optimizer|model|epoch)"')
    log = tb.parse('RuntimeError: Error(s) in loading state_dict for M:\n\tUnexpected key(s) in state_dict: "model.bert.weight", "model.bert.bias".')
    literals = {"e/keys": signatures.signature_literals(keys)}
    assert signatures.match((entry(keys),), primary_error(log), log, literals=literals) == []


def test_the_prepared_corpus_keeps_each_wordings_loosened_form():
    """The prepared corpus keeps :func:`signatures.unquoted` of every message wording, so a cold run does
    not scan them again: the kept answers are the computed ones."""
    from kbfix.engine import documents

    corpus = corpus_mod.load_default()
    prepared = documents.prepare(corpus)
    wordings = {s.message for e in corpus.entries for s in e.signatures if s.message}
    assert set(prepared.unquoted) == wordings
    assert all(kept == signatures._unquoted(pattern) for pattern, kept in prepared.unquoted.items())
    assert any(prepared.unquoted.values()) and not all(prepared.unquoted.values())


def test_whole_log_conditions_see_the_prefixes_the_parser_stripped():
    """A Ray actor's or a server's log prefix says where the error was printed: the parser strips it from the
    lines (the traceback reads as usual), and ``requires`` / ``unless`` still find it."""
    drivers = Signature("drivers", exception="RuntimeError", message=r"0 active drivers \(\[\]\)",
                        requires=[r"TaskRunner|ray::Runner"])
    quiet = Signature("quiet", exception="RuntimeError", message=r"0 active drivers \(\[\]\)", unless=[r"TaskRunner"])
    line = "RuntimeError: 0 active drivers ([]). There should only be one."
    prefixed = f"(TaskRunner pid=54685) {line}"
    assert tb.parse(prefixed).lines == (line,) and tb.parse(prefixed).prefixes == ("(TaskRunner pid=00000)",)
    assert [(h.level, h.partial) for h in hits(prefixed, drivers)] == [(signatures.FULL, False)]
    assert [h.partial for h in hits(line, drivers)] == [True]   # nothing says where: only a near miss
    assert [h.partial for h in hits(prefixed, quiet)] == [True]  # the prefix rules it out
    assert [h.partial for h in hits(line, quiet)] == [False]


def test_a_pattern_outgrowing_the_dfa_still_matches_and_prints_nothing(tmp_path):
    """Large bounded repeats on a long log make RE2 leave its DFA for its NFA; the match stands and RE2's
    'DFA out of memory' line does not reach the user's stderr (C++ writes it to fd 2: a child process)."""
    import subprocess
    import sys

    script = tmp_path / "dfa.py"
    script.write_text(
        "from kbfix.engine.signatures import rx\n"
        "pattern = (r'No solution found when resolving dependencies[\\s\\S]{0,400}?Because [^\\n]*?\\bdepends on\\b'\n"
        "           r'[\\s\\S]{0,1000}?we can\\s+conclude that|Because [^\\n]*?\\bdepends on\\b[^\\n]*[\\s\\S]{0,1000}?'\n"
        "           r'version solving failed')\n"
        "log = ('  × No solution found when resolving dependencies:\\n'\n"
        "       '  ╰─▶ Because only pkg-a==2.0.0.dev0 is available and pkg-a==2.0.0.dev0 depends on lib-c>=4.5.1, we can '\n"
        "       'conclude that all versions of pkg-a depend on lib-c>=4.5.1.\\n'\n"
        "       '      And because only the following versions of lib-c are available:\\n          lib-c<4.5.1\\n'\n"
        "       '          lib-c>=5\\n      and pkg-b==1.2.0 depends on lib-c>=4.5.0,<5, we can conclude that all '\n"
        "       'versions of pkg-a and pkg-b==1.2.0 are incompatible.\\n') * 3\n"
        "print(bool(rx(pattern).search(log)))\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert "DFA out of memory" not in done.stderr


def test_a_library_exception_class_with_another_whole_message_is_a_near_miss():
    """soundfile's LibsndfileError names many failures: "System error." (a path it cannot open) is not the
    "Format not recognised" the signature is about, and says so (a near miss caps retrieval); a builtin class or a
    message without its full stop (perhaps this wording cut short) says nothing."""
    sig = Signature("fmt", exception="LibsndfileError",
                    message=r"Error opening .+?: (?:Format not recognised|File contains data in an unknown format)")
    for text, near in (("soundfile.LibsndfileError: Error opening 'a.wav': System error.", True),
                       ("soundfile.LibsndfileError: Error opening 'a.wav': System err", False)):
        log = tb.parse(text)
        hits = signatures.match((entry(sig),), log.traces[0], log)
        assert [h.partial for h in hits] == ([True] if near else [])
    builtin = Signature("b", exception="ValueError", message=r"Format not recognised")
    log = tb.parse("ValueError: something else entirely.")
    assert signatures.match((entry(builtin),), log.traces[0], log) == []


def test_a_chain_cut_before_its_last_exception_line_is_the_exception_it_was_handling():
    """OpenRLHF#1222: an ImportError, "During handling ... another exception occurred:", and the second traceback
    cut before its exception line, after a warning printed above both: the ImportError is the error, not the warning."""
    log = tb.parse("/usr/lib/python3.12/site-packages/torch/cuda/__init__.py:61: FutureWarning: The pynvml package is "
                "deprecated.\n  import pynvml\n"
                "Traceback (most recent call last):\n"
                '  File "/usr/lib/python3.12/site-packages/ring_flash_attn/adapters/hf_adapter.py", line 10, in <module>\n'
                "    from transformers.modeling_flash_attention_utils import (\n"
                "ImportError: cannot import name 'is_flash_attn_greater_or_equal_2_10' from "
                "'transformers.modeling_flash_attention_utils'\n\n"
                "During handling of the above exception, another exception occurred:\n\n"
                "Traceback (most recent call last):\n"
                '  File "<stdin>", line 1, in <module>\n'
                '  File "/usr/lib/python3.12/site-packages/ring_flash_attn/__init__.py", line 32, in <module>\n'
                "    from .adapters import (\n")
    assert primary_error(log).final.type == "ImportError"
