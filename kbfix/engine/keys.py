"""Key and shape lists in an error, analysed: the facts that decide between the loading causes.

A loading error lists parameter names (missing, unexpected, not initialized, not used) and shapes
(size mismatch), in one of many wordings: torch's ``load_state_dict``, transformers 4's "Some weights
of ..." warnings and 5's load-report table, ``_IncompatibleKeys``, fvcore/detectron2/timm/mmcv,
PEFT. :func:`read` collects the lists from the whole log (however truncated); :func:`facts` computes
what decides the cause:

- ``tail_layers``: whole layers missing, a contiguous run that does not start at layer 0 (an
  interrupted save or a missing shard); ``many_missing``: a shard's worth of keys missing;
- ``prefix``: missing and unexpected keys equal after stripping or adding one prefix;
- ``rename``: missing and unexpected keys pair up one-to-one by another last name (gamma/beta ->
  weight/bias, a library release's rename);
- ``buffers_only``: only computed buffers are missing or unexpected (``rotary_emb.inv_freq``,
  ``position_ids`` ...): harmless; ``benign_keys_only``: only pre-training heads and poolers unused,
  a new task head, or such buffers;
- ``adapter_keys`` / ``base_keys_only``: only adapter (LoRA) keys, or only base-model keys;
- ``embedding_rows``: only embedding / LM-head rows differ (or a LoRA's vocabulary axis on them: lora_B's
  rows on the head, lora_embedding_A's columns on the embedding); ``head_only``: only a task head differs;
- ``pos_embed_only``: only position embeddings differ (another image resolution or grid); a position
  table that differs only in its width (``[77, 768]`` vs ``[77, 1024]``) is ``width_ratio`` instead: the
  model's hidden size, not its grid;
- ``patch_size``: a patch (stem) convolution differs only in its kernel (``[768, 3, 16, 16]`` vs
  ``[768, 3, 32, 32]``), with at most position tables besides: a ViT of another patch size (B/16 vs B/32);
- ``embedding_tables``: only embedding tables differ, and only in their rows, in two kinds or more
  (vocabulary, positions, token types): the config's ``vocab_size``, ``max_position_embeddings`` and
  ``type_vocab_size`` are another model's (a blank or another family's config);
- ``placeholder``: 1-D ``[0]`` (or old DeepSpeed's ``[1]``) shapes: ZeRO-3 partitions (a ``[0, 17]`` is a DTensor shard);
- ``lora_rank``: only adapter tensors differ, and only in the LoRA rank (an adapter of another ``r``);
- ``lora_old_format``: only adapter tensors differ, and a lora_B is 3-D ``[out, r, 1]`` (or, on fused q/k/v
  projections, every lora_A holds exactly twice the model's rank): an adapter saved by PEFT < 0.3, which
  kept a fused projection's LoRA as a stacked lora_A and a Conv1d lora_B;
- ``width_ratio``: one width ratio across every mismatching layer (768 vs 1024); ``mixed_widths``:
  widths that differ layer by layer (a pruned model);
- ``attention_heads_only``: only attention projections (q / k / v / o and their biases) differ, each matrix in one
  axis only, all sharing one width on the other: another number of heads or key/value heads at the same hidden size
  (a structurally pruned model, a GQA checkpoint under a config without ``num_key_value_heads``), not another width;
- ``transposed``: every mismatching matrix is the model's shape reversed (``[768, 2304]`` vs
  ``[2304, 768]``): the same weights in another layout (GPT-2's Conv1D against ``nn.Linear``, a
  TensorFlow/JAX kernel against torch), not another model size;
- ``leading_axis``: one shape is the other with an axis added in front (``(1, 3, 128)`` vs ``(3, 128)``,
  ``(5, 119, 119)`` vs ``(119, 119)``): parameters replicated over devices (``pmap``) or stacked over
  ensemble members or layers (``nn.scan``), used where single copies are expected, or the reverse;
  ``reshaped``: the same number of elements in another shape (``(1, 1, 1, 64)`` vs ``(64,)``): a
  library release that stores the tensor in another shape. Neither is another model size;
- ``context_dim``: a UNet's cross-attention key/value projection (``attn2.to_k`` / ``attn2.to_v``, kohya's
  ``attn2_to_k`` LoRA down, IP-Adapter's ``to_k_ip``) reads text features of another width, both widths
  those of a Stable Diffusion family's text encoder (768 SD 1.x CLIP-L, 1024 SD 2.x OpenCLIP-H, 2048 SDXL
  CLIP-L + bigG, 1280 the SDXL refiner's bigG or the original LDM text2img-large's BERT): weights of one
  family loaded into a model built for another (an SDXL checkpoint in an SD 1.5 script). It decides over
  the other shape facts: the rest of such a UNet differs in mixed widths and in linear-vs-1x1-conv
  projections.
- ``quant_groups``: only the group tensors of a quantized checkpoint differ (GPTQ/AWQ ``scales``, ``qzeros``,
  ``g_idx`` ...), each keeping a width of the model's (``[1, 4096]`` vs ``[32, 4096]``,
  ``[8192, 1]`` vs ``[64, 8192]``): the same model quantized with another group size, or saved in another
  release's layout of those tensors, not another model size.

Flax's ``ScopeParamShapeError`` (each of its three wordings) is read as a mismatch too, the parameter
named by its scope (``/Dense_0`` + ``kernel`` -> ``Dense_0.kernel``).

Each fact carries captures for the fix text (the layers, the prefix, the sizes). Pure, linear in the
size of the log, no heavy imports.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

KEY = r"[A-Za-z_][\w.]*[\w]"
# what may stand between a list heading and its first quoted key: spaces and line breaks, markdown, the
# list's opening brackets (a set of tuples, dict_keys([...]), odict_keys, frozenset)
LIST_START_RE = re.compile(r"[\s*`>|#\-]*(?:(?:o?dict_keys|frozenset|set)\(\s*)?[\[{(\s]*", re.S)
QUOTED_KEY_RE = re.compile(r"""["'](?P<key>[A-Za-z_][\w.\-]*\w)["']""")
# Flax (transformers / diffusers Flax from_pretrained) prints a key as the tuple of its path:
# ('encoder', 'layer', '6', 'output', 'LayerNorm', 'scale') -> encoder.layer.6.output.LayerNorm.scale
TUPLE_KEY_RE = re.compile(r"""\(\s*(?P<parts>["'][\w\-]+["'](?:\s*,\s*["'][\w\-]+["'])+)\s*,?\s*\)""")
SHAPE = r"(?:torch\.Size\(\[(?P<{n}>[\d,\s]*)\]\)|\((?P<{n}t>[\d,\s]*)\)|\[(?P<{n}l>[\d,\s]*)\])"

MISSING_RE = re.compile(
    r"(?:Missing key\(s\) in state_dict:|missing_keys=\[|missing keys in source state_dict:|"
    r"newly initialized:|not initialized from the model checkpoint at \S+ and are newly initialized: |"
    r"not initialized from pretrained model:|"
    r"are not found in the checkpoint:|Found missing adapter keys while loading the checkpoint:|"
    r"missing required keys:?|Missing keys?:|"
    # timm's load_pretrained log: "Missing keys (a, b) discovered while loading pretrained weights" (and "Unexpected
    # keys (a, b) found while ..." below)
    r"Missing keys \(|"
    # vLLM's model loaders (a set of names): weights the model has that no checkpoint file provided
    r"weights were not initialized from checkpoint:)")
UNEXPECTED_RE = re.compile(
    r"(?:Unexpected key\(s\) in state_dict:|unexpected_keys=\[|unexpected keys? in source state_dict:|"
    r"were not used when initializing \w+:|contains keys that are not used by the model:|Unexpected keys?:|"
    r"Unexpected keys \(|"
    r"not\s*u\s*sed in \w+:)")
MISMATCH_RES = (
    # (a terminal or a mail client may wrap the line anywhere, even swallowing a space at the break)
    re.compile(r"size\s+mismatch\s+for\s+(?P<key>[\w.]+):\s*copying\s+a\s+param\s*with\s+shape\s+" + SHAPE.format(n="a")
               + r"\s+from\s+checkpoint,\s+the\s+shape\s+in\s+current\s+model\s+is\s+" + SHAPE.format(n="b")),
    re.compile(r"- (?P<key>[\w.]+): found shape " + SHAPE.format(n="a") + r" in the checkpoint and "
               + SHAPE.format(n="b") + r" in the model instantiated"),
    re.compile(r"^\s*(?P<key>[\w.{}, ]+?)\s*\|\s*MISMATCH\s*\|.*?ckpt:\s*" + SHAPE.format(n="a") + r"\s*vs\s*model:\s*"
               + SHAPE.format(n="b"), re.M),
    re.compile(r"Skip loading parameter '(?P<key>[\w.]+)' to the model due to [*_]*incompatible shapes: "
               + SHAPE.format(n="a") + r" in the checkpoint but " + SHAPE.format(n="b") + r" in the model"),
    # Paddle's Layer.set_state_dict warning: "Skip loading for {key}. {key} receives a shape [..], but the
    # expected shape is [..]."
    re.compile(r"Skip loading for (?P<key>[\w.]+)\.\s+[\w.]+ receives a shape " + SHAPE.format(n="a")
               + r",\s*but the expected shape is " + SHAPE.format(n="b")),
    # detectron2's c2_model_loading (align_and_update_state_dicts): the model's name comes second
    re.compile(r"Shape of [\w.]+ in checkpoint is " + SHAPE.format(n="a") + r",\s*while shape of (?P<key>[\w.]+) in model is "
               + SHAPE.format(n="b")),
    # PaddleSeg / PaddleDetection / PaddleClas load_pretrained_model: "[SKIP] Shape of pretrained params {key}
    # doesn't match.(Pretrained: [..], Actual: [..])"; PaddleSeg 0.x (static graph) names a variable's path:
    # "[SKIP] Shape of pretrained weight {dir}/logit/weights doesn't match.(Pretrained: (21, ..), Actual: (19, ..))"
    re.compile(r"Shape of pretrained (?:params|weight) (?P<key>[\w./]+) doesn't match\.\s*\(Pretrained:\s*" + SHAPE.format(n="a")
               + r",\s*Actual:\s*" + SHAPE.format(n="b")),
    # PaddleOCR / PaddleClas load_pretrained_params: the model's shape comes first, then the loaded one (named
    # "loaded params {key} [..]" in older releases, "loaded params shape [..]" in newer)
    re.compile(r"The shape of model params (?P<key>[\w.]+) " + SHAPE.format(n="b") + r" not matched with loaded params "
               r"(?:shape|[\w.]+) " + SHAPE.format(n="a")),
    # diffusers' load_model_dict_into_meta: "Cannot load {path} because {key} expected shape {model's}, but got {checkpoint's}";
    # releases that printed the meta tensor itself show "tensor(..., device='meta', size=(320, 4, 3, 3))"
    re.compile(r"\bbecause\s+(?P<key>[\w.]+)\s+expected\s+shape\s+(?:tensor\(\.\.\.,\s*device='meta',\s*size=)?"
               + SHAPE.format(n="b") + r"\)?,\s*but\s+got\s+" + SHAPE.format(n="a")),
)
# Flax's ScopeParamShapeError, by release: (key from scope and parameter; a: the existing value, b: the
# initializer's shape). >= 0.11.2; 0.6.8-0.11.1 (first shape the existing one); < 0.6.8 (value, initializer)
FLAX_SHAPE = r"\((?:\d+(?:,\s*\d+)*,?)?\)"
FLAX_MISMATCH_RES = (
    re.compile(r'For parameter "(?P<param>[^"\n]+)" in "(?P<scope>[^"\n]*)", the given initializer is expected to '
               r"generate shape (?P<b>" + FLAX_SHAPE + r"), but the existing parameter it received has shape (?P<a>"
               + FLAX_SHAPE + r")"),
    re.compile(r"Initializer expected to generate shape (?P<a>" + FLAX_SHAPE + r") but got shape (?P<b>" + FLAX_SHAPE
               + r')\s+instead\s+for\s+parameter "(?P<param>[^"\n]+)" in "(?P<scope>[^"\n]*)"'),
    re.compile(r'Inconsistent shapes between value and initializer for parameter "(?P<param>[^"\n]+)" in '
               r'"(?P<scope>[^"\n]*)": (?P<a>' + FLAX_SHAPE + r"), (?P<b>" + FLAX_SHAPE + r")"),
)
# loaders that name one missing tensor per message: llama.cpp / GGUF readers, accelerate's dispatch,
# text-generation-inference
INLINE_MISSING_RES = (
    re.compile(r"missing tensor:?\s*['\"]?(?P<key>" + KEY + r")"),
    re.compile(r"\bweight (?P<key>" + KEY + r") does not exist"),
)
# accelerate's "{key} doesn't have any device set": the name comes before the words, so it is read backwards from
# each occurrence of them (a pattern that starts with the name would try every position of a long dotted line)
DEVICE_SET = " doesn't have any device set"
KEY_RE = re.compile(KEY)
TABLE_RE = re.compile(r"^\s*(?P<key>[A-Za-z_][\w.{}, ]*?)\s*\|\s*(?P<status>MISSING|UNEXPECTED)\b", re.M)
PREFILTER = ("key", "size mismatch", "generate shape", "Inconsistent shapes", "weights of", "Weights of",
             "from pretrained model", "MISMATCH", "MISSING", "Skip loading", "not found in the checkpoint",
             "receives a shape", "in checkpoint is", "Shape of pretrained", "not matched with loaded params",
             "found shape", "required keys", "missing tensor", "device set", "does not exist",
             "not initialized from checkpoint", "expected shape")

LAYER_RE = re.compile(r"^(?P<stack>(?:.*\.)?(?:layers|layer|h|blk|blocks|block|resblocks|encoder\.layer|decoder\.layers?|"
                      r"[A-Za-z]\w*_(?:blocks|layers)))"
                      r"\.(?P<index>\d+)\.")
BUFFER_RE = re.compile(r"(?:^|\.)(?:inv_freq|position_ids|masked_bias|num_batches_tracked|token_type_ids|"
                       r"attn\.bias|attention\.bias|bias_mask|causal_mask|rotary_emb\.\w+|_float_tensor|"
                       r"relative_position_index|attn_mask|freqs_cis)$")
# PEFT (lora_A / lora_B), and kohya / diffusers LoRA (lora_down / lora_up, attention processors' to_q_lora.down)
ADAPTER_RE = re.compile(r"lora_(?:A|B|embedding_A|embedding_B|magnitude_vector)|lora[._](?:down|up)\b|\.ia3_l|"
                        r"modules_to_save|lora_dropout|\.adapter_|prompt_encoder")
LORA_DOWN_RE = re.compile(r"lora_(?:embedding_)?A\b|lora[._]down\b")  # [r, in] ([r, in, kh, kw] on a convolution)
FUSED_QKV_RE = re.compile(r"(?:^|\.)(?:c_attn|query_key_value|qkv|qkv_proj|W_pack|Wqkv|in_proj)\.")  # q, k and v in one layer
LORA_UP_RE = re.compile(r"lora_(?:embedding_)?B\b|lora[._]up\b")  # [out, r] ([out, r, 1, 1])
WRAPPED = r"(?:\.(?:modules_to_save|original_module|base_layer)(?:\.\w+)?)?"
# (fairseq's unshared decoder head is ``output_projection``; TransformerLens names its tables ``embed.W_E`` [vocab, d]
# and ``unembed.W_U`` [d, vocab] (transposed: :data:`VOCAB_COLUMNS_RE`) with ``unembed.b_U`` [vocab])
VOCAB_RE = re.compile(r"(?:^|\.)(?:embed_tokens|lm_head|wte|word_embeddings|embed_in|embed_out|shared|tok_embeddings|"
                      r"output|token_embedding|embeddings|output_layer|output_projection)" + WRAPPED + r"\.(?:weight|bias)$|"
                      r"(?:^|\.)final_logits_bias$|(?:^|\.)(?:lm_head|cls\.predictions)(?:\.\w+)*\.(?:weight|bias)$|"
                      r"(?:^|\.)(?:embed\.W_E|unembed\.[Wb]_U)$")
VOCAB_COLUMNS_RE = re.compile(r"(?:^|\.)unembed\.W_U$")  # a vocabulary table laid out [width, vocabulary]
# an nn.Embedding named just `embedding` / `embed` (seq2seq, captioning, VQA and text-classification models): a
# vocabulary table when every mismatching tensor (it and the output projection's weight and bias) differs only in
# its first axis, by one pair of vocabulary-sized counts; ChatGLM's PrefixEncoder names its prefix table
# `embedding` too, with pre_seq_len rows (8 - 512)
BARE_EMBEDDING_RE = re.compile(r"(?:^|\.)(?:embedding|embed)\.weight$")
MIN_BARE_VOCAB = 1000
# a LoRA on the LM head or the embedding: its vocabulary axis is lora_B's rows ([vocab, r]) on a Linear head,
# lora_embedding_A's columns ([r, vocab]) on an Embedding
LORA_VOCAB_RE = re.compile(r"(?:^|\.)(?:embed_tokens|lm_head|wte|word_embeddings|embed_in|embed_out|tok_embeddings|"
                           r"output|output_layer)\.(?P<part>lora_B|lora_embedding_A)(?:\.\w+)?(?:\.weight)?$")
HEAD_RE = re.compile(r"(?:^|\.)(?:classifier|score|qa_outputs|classification_head|fc|head|heads|cls_head|"
                     r"class_embed|cls_score|bbox_pred|logits)(?:\.|$)")
CLASS_NAME_RE = re.compile(r"(?i)class|cls|label|logit")  # a head under a project's own name
# a vision transformer's class token (CLIP's ``class_embedding``, timm's ``cls_token``, DeiT's ``dist_token``): its
# length is the model's width, never a number of classes
CLASS_TOKEN_RE = re.compile(r"(?i)(?:^|\.)(?:class_embedding|cls_token|dist_token)$")
BOX_NAME_RE = re.compile(r"(?i)bbox|box|reg|proposal")
MAX_HEAD_TENSORS = 6  # weight and bias of a class head, a box head and one more
# (relative tables: SAM / ViTDet ``rel_pos_h`` and prefixed ones such as ``full_attn_rel_pos_h``, Swin's bias table and
# index, Swin-V2 / FasterViT's ``relative_coords_table`` and ``relative_bias``: their sizes follow the window or grid)
POS_RE = re.compile(r"(?:^|\.)(?:pos_embed|pos_embedding|position_embeddings?|positional_embedding|absolute_pos_embed|"
                    r"(?:\w+_)?rel_pos_[hw]|relative_position_bias_table|relative_position_index|relative_coords_table|"
                    r"relative_bias|attention_biases|attention_bias_idxs|pos_emb|embeddings\.position_embedding)(?:\.|$)")
# Keys whose absence or surplus is expected when a checkpoint is loaded into another head or release:
# pre-training heads and poolers not used by a task model, a new task head, computed buffers.
# position tables laid out [positions, width] (a leading batch axis or a 2-D grid aside): their last axis is the
# model's hidden size. Bias tables (attention_biases [heads, offsets], relative_position_bias_table [offsets, heads])
# are not.
POS_WIDTH_RE = re.compile(r"(?:^|\.)(?:pos_embed|pos_embedding|position_embeddings?|positional_embedding|absolute_pos_embed|"
                          r"pos_emb|embeddings\.position_embedding)(?:\.weight)?$")
# a cross-attention key/value projection: diffusers / LDM ``attn2.to_k``, kohya's LoRA ``attn2_to_k``,
# IP-Adapter's ``to_k_ip``
CROSS_KV_RE = re.compile(r"(?:^|[._])(?:attn2[._]to_[kv]|to_[kv]_ip)(?:[._]|$)")
# the text encoder widths a Stable Diffusion family's UNet cross-attends to
CONTEXT_DIMS = {768: "SD 1.x", 1024: "SD 2.x", 2048: "SDXL", 1280: "SDXL refiner or LDM text2img-large"}
TYPE_EMBED_RE = re.compile(r"(?:^|\.)(?:token_type_embeddings|segment_embeddings?|type_embeddings?)(?:\.weight)?$")
BENIGN_UNUSED_RE = re.compile(r"(?:^|\.)(?:cls\.(?:predictions|seq_relationship)|pooler\.|lm_head\.|"
                              r"vocab_(?:transform|layer_norm|projector)|discriminator_predictions|generator_lm_head|"
                              r"qa_outputs\.|classifier\.|score\.)|masked_bias|\.attn\.bias|position_ids|inv_freq|"
                              r"num_batches_tracked|"
                              # the other tower of a dual encoder (CLIPTextModel / CLIPVisionModel from a whole CLIP
                              # checkpoint): top-level names only, a VLM's vision_tower.vision_model is no such tower
                              r"^(?:vision_model|text_model|visual_projection|text_projection)\.|^logit_scale$|"
                              # an ImageNet backbone's own classifier (torchvision / timm names, top level only),
                              # unused by the detector or segmenter that loads the backbone
                              r"^(?:fc|head|head\.fc)\.(?:weight|bias)$")
BENIGN_NEW_RE = re.compile(r"(?:^|\.)(?:classifier\.|score\.|qa_outputs\.|pooler\.|lm_head\.decoder\.|crossattention\.|"
                           r"output_query|intermediate_query|query_tokens)|masked_bias|\.attn\.bias|position_ids|inv_freq|"
                           # timm / torchvision: the classifier of a backbone built for another number of classes
                           r"^(?:fc|head|head\.fc)\.(?:weight|bias)$")
RENAMES = (("gamma", "weight"), ("beta", "bias"), ("running_mean", "moving_mean"), ("kernel", "weight"),
           ("scale", "weight"), ("g", "weight"), ("b", "bias"))
# the per-group tensors of GPTQ / AWQ / gpt-fast / torchchat quantized layers (the packed weight is qweight / weight)
QUANT_GROUP_RE = re.compile(r"(?:^|\.)(?:scales|qzeros|zeros|g_idx|scales_and_zeros)$")
FACTS = ("keys_listed", "buffers_only", "benign_keys_only", "adapter_keys", "base_keys_only", "prefix", "rename", "many_missing",
         "tail_layers", "placeholder", "embedding_rows", "head_only", "pos_embed_only", "lora_rank", "lora_old_format", "width_ratio",
         "mixed_widths", "transposed", "leading_axis", "reshaped", "packed_4bit", "packed_4bit_checkpoint", "patch_size",
         "embedding_tables", "context_dim", "quant_groups", "attention_heads_only")
MAX_KEYS = 5000  # per list: enough to decide, bounded memory on hostile input


@dataclass
class KeyLists:
    """The parameter names and shapes a load error lists: missing, unexpected, and mismatched."""

    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.mismatched)


def _shape(match: re.Match[str], name: str) -> tuple[int, ...]:
    raw = match.group(name) or match.group(name + "t") or match.group(name + "l") or ""
    return tuple(int(p) for p in re.findall(r"\d+", raw))


def _keys_after(text: str, start: int) -> list[str]:
    """The quoted (or bare, one per line) keys that follow a list heading at ``start``."""
    end = len(text)
    for stop in (MISSING_RE, UNEXPECTED_RE):
        nxt = stop.search(text, start)
        if nxt is not None:
            end = min(end, nxt.start())
    nxt = text.find("size mismatch for", start)
    if nxt >= 0:
        end = min(end, nxt)
    chunk = text[start:end]
    first = TUPLE_KEY_RE.search(chunk)
    if first is not None and LIST_START_RE.fullmatch(chunk[:first.start()]):
        return [".".join(part.strip().strip("'\"") for part in m["parts"].split(","))
                for m in TUPLE_KEY_RE.finditer(chunk)][:MAX_KEYS]
    first = QUOTED_KEY_RE.search(chunk)
    # the list follows its heading at once: a heading in prose ("... and are newly initialized:**"), or one
    # whose list was cut from the paste, must not collect the quoted words of later lines; a bare list (below)
    # may still stand there, with quoted words in the prose after it
    if first is not None and LIST_START_RE.fullmatch(chunk[:first.start()]):
        return [m["key"] for m in QUOTED_KEY_RE.finditer(chunk)][:MAX_KEYS]
    found = []  # fvcore/mmcv: bare keys, comma- or line-separated (a full-width comma in Chinese prose)
    for token in re.split(r"[\s,\uff0c\u3001]+", chunk[:20000]):
        token = token.strip("'\"[]{}()")
        if token.endswith(("..", "\u2026")):  # a key the user cut with "..." / "……": the list ends there
            cut = token.rstrip(".\u2026")
            if re.fullmatch(KEY, cut) and "." in cut:
                found.append(cut)
                break
        token = token.removesuffix(".")  # the full stop after the last name
        if re.fullmatch(KEY, token) and "." in token:
            found.append(token)
        elif token and found:
            break
        elif token.strip("*`>|-#:"):
            return []  # a word before the first key: not this heading's list
    else:
        # the list runs to the end of the paste: its last name may be cut mid-word ("...attn.relati"), as a quoted
        # list's last name would be (that one lacks its closing quote and is never read)
        if end == len(text) and len(chunk) <= 20000 and len(found) > 1:
            leaf = found[-1].rpartition(".")[2]
            if leaf not in ("weight", "bias") and leaf not in {k.rpartition(".")[2] for k in found[:-1]}:
                found.pop()
    return found[:MAX_KEYS]


def read(text: str) -> KeyLists:
    """Every key list and shape pair in ``text``."""
    lists = KeyLists()
    if not any(word in text for word in PREFILTER):
        return lists
    for heading in MISSING_RE.finditer(text):
        lists.missing += _keys_after(text, heading.end())
    for heading in UNEXPECTED_RE.finditer(text):
        lists.unexpected += _keys_after(text, heading.end())
    for pattern in INLINE_MISSING_RES:
        lists.missing += [m["key"] for m in pattern.finditer(text)]
    at = text.find(DEVICE_SET)
    while at >= 0:
        start, low = at, max(0, at - 300)
        while start > low and (text[start - 1].isalnum() or text[start - 1] in "._"):
            start -= 1
        if KEY_RE.fullmatch(text, start, at):
            lists.missing.append(text[start:at])
        at = text.find(DEVICE_SET, at + len(DEVICE_SET))
    for row in TABLE_RE.finditer(text):
        (lists.missing if row["status"] == "MISSING" else lists.unexpected).extend(expand(row["key"].strip()))
    seen = set()
    for pattern in MISMATCH_RES:
        for m in pattern.finditer(text):
            key = re.sub(r"[./]*/+", ".", m["key"].strip()).strip(".")  # a static-graph variable path: dir/logit/weights
            if key not in seen:
                seen.add(key)
                lists.mismatched.append((key, _shape(m, "a"), _shape(m, "b")))
    for pattern in FLAX_MISMATCH_RES:
        for m in pattern.finditer(text):
            key = ".".join(part for part in m["scope"].split("/") + [m["param"]] if part)
            if key not in seen:
                seen.add(key)
                lists.mismatched.append((key, _shape(m, "a"), _shape(m, "b")))
    lists.missing = list(dict.fromkeys(lists.missing))[:MAX_KEYS]
    lists.unexpected = list(dict.fromkeys(lists.unexpected))[:MAX_KEYS]
    return lists


BRACES_RE = re.compile(r"\{([\d, .]+)\}")


def expand(key: str) -> list[str]:
    """transformers 5 folds layers into one row: ``layers.{24, 25}.mlp`` / ``layers.{0...27}.mlp``."""
    found = BRACES_RE.search(key)
    if not found:
        return [key]
    numbers: list[int] = []
    for part in found.group(1).split(","):
        part = part.strip()
        if "..." in part:
            low, _, high = part.partition("...")
            if low.strip().isdigit() and high.strip().isdigit():
                numbers += range(int(low), min(int(high), int(low) + 1000) + 1)
        elif part.isdigit():
            numbers.append(int(part))
    return [key[:found.start()] + str(n) + key[found.end():] for n in numbers[:1000]] or [key]


def _layer(key: str) -> tuple[str, int] | None:
    m = LAYER_RE.match(key)
    return (m["stack"], int(m["index"])) if m else None


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'."""
    out, start, prev = [], None, None
    for n in sorted(set(numbers)):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(out)


@dataclass
class Facts:
    """The decided facts (name -> captures) for one log's key lists."""

    lists: KeyLists
    found: dict[str, dict[str, str]] = field(default_factory=dict)

    def holds(self, name: str) -> bool:
        return name in self.found

    @cached_property
    def summary(self) -> str:
        return "; ".join(f"{name} ({', '.join(f'{k}={v}' for k, v in caps.items())})" if caps else name
                         for name, caps in self.found.items())


def analyse(lists: KeyLists) -> Facts:
    facts = Facts(lists)
    if not lists:
        return facts
    missing, unexpected, mismatched = lists.missing, lists.unexpected, lists.mismatched
    found = facts.found
    found["keys_listed"] = {"missing_count": str(len(missing)), "unexpected_count": str(len(unexpected)),
                            "mismatched_count": str(len(mismatched))}
    listed = missing + unexpected
    if listed and all(BUFFER_RE.search(k) for k in listed) and not mismatched:
        found["buffers_only"] = {"buffers": ", ".join(sorted({k.rsplit('.', 1)[-1] for k in listed}))}
    if listed and not mismatched and all(BENIGN_UNUSED_RE.search(k) for k in unexpected) \
            and all(BENIGN_NEW_RE.search(k) for k in missing):
        found["benign_keys_only"] = {"keys": ", ".join(listed[:6]) + (" ..." if len(listed) > 6 else "")}
    if missing and all(ADAPTER_RE.search(k) for k in missing) or unexpected and all(ADAPTER_RE.search(k) for k in unexpected):
        found["adapter_keys"] = {}
    if missing and not unexpected and not any(ADAPTER_RE.search(k) for k in missing) and len(missing) >= 4:
        found["base_keys_only"] = {}
    _prefix(found, missing, unexpected)
    _rename(found, missing, unexpected)
    if "prefix" in found or "rename" in found:
        found.pop("benign_keys_only", None)  # the same weights under other names: not an expected surplus
    _layers(found, missing, unexpected)
    if mismatched:
        _shapes(found, mismatched)
    return facts


def _prefix(found: dict, missing: list[str], unexpected: list[str]) -> None:
    if not missing or not unexpected:
        return
    counts: Counter[tuple[str, str]] = Counter()
    unexpected_set = set(unexpected)
    for key in missing[:500]:
        for other in unexpected[:500]:
            if other.endswith("." + key) or other.endswith(key) and other != key and other[:-len(key)].endswith("."):
                counts[(other[: len(other) - len(key)], "")] += 1  # the checkpoint has an extra prefix
            elif key.endswith("." + other):
                counts[("", key[: len(key) - len(other)])] += 1  # the model wants an extra prefix
    if not counts:
        return
    (strip, add), n = counts.most_common(1)[0]
    if n >= max(1, min(len(missing), len(unexpected_set)) // 2):
        found["prefix"] = {"strip": strip, "add": add, "prefix": strip or add, "paired": str(n)}


def _base(key: str) -> tuple[str, str]:
    head, _, last = key.rpartition(".")
    return head, last


def _rename(found: dict, missing: list[str], unexpected: list[str]) -> None:
    if not missing or not unexpected or "prefix" in found:
        return
    by_head = {}
    for key in unexpected:
        by_head.setdefault(_base(key)[0], set()).add(_base(key)[1])
    pairs = Counter()
    for key in missing:
        head, last = _base(key)
        others = by_head.get(head, set()) - {last}
        for old, new in RENAMES:
            if last == new and old in others or last == old and new in others:
                pairs[(old, new) if last == new else (new, old)] += 1
    total = sum(pairs.values())
    if total and total >= max(1, min(len(missing), len(unexpected)) // 2):
        found["rename"] = {"renames": ", ".join(f"{a} -> {b}" for (a, b), _ in pairs.most_common(3)),
                           "paired": str(total)}


def _layers(found: dict, missing: list[str], unexpected: list[str]) -> None:
    missing_layers: dict[str, set[int]] = {}
    for key in missing:
        layer = _layer(key)
        if layer:
            missing_layers.setdefault(layer[0], set()).add(layer[1])
    unexpected_layers = {_layer(k) for k in unexpected if _layer(k)}
    if len(missing) >= 20 and not unexpected:
        found["many_missing"] = {"missing_count": str(len(missing))}
    for stack, indices in missing_layers.items():
        ordered = sorted(indices)
        contiguous = ordered == list(range(ordered[0], ordered[-1] + 1))
        if contiguous and ordered[0] > 0 and not unexpected_layers and "prefix" not in found and "rename" not in found:
            found["tail_layers"] = {"layers": _ranges(ordered), "layer": str(ordered[0]), "stack": stack}
            return


def _numel(shape: tuple[int, ...]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def _unnamed_head(mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """A task head under a project's own name (``detection._proposal_class``, ``fc_cls``): tensors that
    differ only in their output rows (the number of classes, or of classes x box coordinates), one of
    them named for classes, labels or logits."""
    rows_only = all(len(a) == len(b) and a[1:] == b[1:] and a[0] != b[0] for _, a, b in mismatched)
    if not rows_only or not any(CLASS_NAME_RE.search(k) and not CLASS_TOKEN_RE.search(k) for k, _, _ in mismatched):
        return False
    # a cascade or per-decoder-layer head repeats them: then every one is a class or box output
    return len(mismatched) <= MAX_HEAD_TENSORS or all(CLASS_NAME_RE.search(k) or BOX_NAME_RE.search(k)
                                                      for k, _, _ in mismatched)


def _vocab_sizes(key: str, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[str, int, int] | None:
    """The vocabulary sizes of a tensor that differs only in its vocabulary axis: an embedding or LM head
    (rows), or a LoRA on one (lora_B's rows, lora_embedding_A's columns); None for any other difference
    (a LoRA of another rank, another hidden size)."""
    if len(a) != len(b) or a == b:
        return None
    lora = LORA_VOCAB_RE.search(key)
    if lora:
        axis: int | None = 1 if lora.group("part") == "lora_embedding_A" else 0
    else:  # a head's lora_A ([r, hidden]) holds no vocabulary axis
        axis = (1 if VOCAB_COLUMNS_RE.search(key) else 0) if VOCAB_RE.search(key) and _rank_axis(key) is None else None
    if axis is None or (lora and len(a) != 2) or any(x != y for i, (x, y) in enumerate(zip(a, b)) if i != axis):
        return None
    return key, a[axis], b[axis]


def _rank_axis(key: str) -> int | None:
    """Where a LoRA tensor holds its rank: lora_A / lora_down is [r, in] ([r, in, kh, kw] on a
    convolution), lora_B / lora_up [out, r] ([out, r, 1, 1])."""
    return 0 if LORA_DOWN_RE.search(key) else 1 if LORA_UP_RE.search(key) else None


def _rank_only(mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """Adapter tensors differ only in the LoRA rank (:func:`_rank_axis`)."""
    for key, a, b in mismatched:
        if len(a) != len(b) or len(a) not in (2, 4):
            return False
        axis = _rank_axis(key)
        if axis is None or a[axis] == b[axis] or any(x != y for i, (x, y) in enumerate(zip(a, b)) if i != axis):
            return False
    return True


def _is_packed(full: tuple[int, ...], packed: tuple[int, ...]) -> bool:
    """bitsandbytes 4-bit: a quantized Linear4bit weight (Params4bit) holds two 4-bit values per uint8, stored flat
    as [out * in / 2, 1]."""
    return len(full) == 2 and len(packed) == 2 and packed[1] == 1 and full[1] != 1 and packed[0] >= 32 \
        and _numel(full) == 2 * packed[0]


def _packed_4bit(found: dict, mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """Every mismatch (vocabulary rows aside) is a 16-bit matrix against its packed 4-bit form:
    ``packed_4bit`` when the model holds the packed weight (16-bit weights loaded into a 4-bit model),
    ``packed_4bit_checkpoint`` when the checkpoint does (a 4-bit checkpoint loaded into a 16-bit model)."""
    if not all(_is_packed(a, b) or _is_packed(b, a) or VOCAB_RE.search(k) for k, a, b in mismatched):
        return False
    into_model = [(k, a, b) for k, a, b in mismatched if _is_packed(a, b)]
    into_ckpt = [(k, a, b) for k, a, b in mismatched if _is_packed(b, a)]
    if not into_model and not into_ckpt:
        return False
    name, rows = ("packed_4bit", into_model) if len(into_model) >= len(into_ckpt) else ("packed_4bit_checkpoint", into_ckpt)
    k, a, b = rows[0]
    found[name] = _shown(k, a, b)
    return True


def _shown(key: str, a: tuple[int, ...], b: tuple[int, ...]) -> dict[str, str]:
    """A mismatched tensor as the fix text names it: its key and both shapes."""
    return {"key": key, "ckpt_shape": ", ".join(map(str, a)), "model_shape": ", ".join(map(str, b))}


def _shapes(found: dict, mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> None:
    keys = [k for k, _, _ in mismatched]
    first_key, first_a, first_b = mismatched[0]
    shown = _shown(first_key, first_a, first_b)
    # ZeRO-3 frees a partitioned parameter to a 1-D torch.empty(0) (old DeepSpeed: a [1]); a zero inside a
    # shape of two or more dimensions ([0, 17]) is a DTensor / FSDP2 shard of an uneven split, not a placeholder
    placeholders = [(k, a, b) for k, a, b in mismatched if a == (0,) or b == (0,)
                    or (a == (1,) and _numel(b) >= 64) or (b == (1,) and _numel(a) >= 64)]
    if placeholders and not all(HEAD_RE.search(k) for k, _, _ in placeholders):  # a head of 0 classes is real
        found["placeholder"] = {"key": placeholders[0][0]}
        return
    if _packed_4bit(found, mismatched) or _context_dim(found, mismatched):
        return
    if all(QUANT_GROUP_RE.search(k) for k in keys) \
            and all((set(a) & set(b)) - {1} for _, a, b in mismatched):
        # a width the model has kept on both sides, only the group axis differs: another group size or
        # another release's layout of the group tensors, not another model size
        found["quant_groups"] = shown
        return
    if any(BARE_EMBEDDING_RE.search(k) for k in keys) \
            and all(len(a) == len(b) >= 1 and a[1:] == b[1:] for _, a, b in mismatched) \
            and len(pairs := {(a[0], b[0]) for _, a, b in mismatched}) == 1 \
            and min(next(iter(pairs))) >= MIN_BARE_VOCAB:
        key = next(k for k in keys if BARE_EMBEDDING_RE.search(k))
        found["embedding_rows"] = {"key": key, "ckpt_vocab": str(first_a[0]), "model_vocab": str(first_b[0])}
        return
    if all(VOCAB_RE.search(k) or LORA_VOCAB_RE.search(k) for k in keys):
        rows = [v for k, a, b in mismatched if (v := _vocab_sizes(k, a, b))]
        if rows:
            found["embedding_rows"] = {"key": rows[0][0], "ckpt_vocab": str(rows[0][1]), "model_vocab": str(rows[0][2])}
            return
        if not all(_rank_axis(k) is not None for k in keys):
            return  # another hidden size; a LoRA of another rank on the head goes on to lora_rank
    if all(HEAD_RE.search(k) for k in keys) or _unnamed_head(mismatched):
        # the labels are the axis that differs: the first in torch's [out, in], the last in Paddle's [in, out]
        axis = next((i for i, (x, y) in enumerate(zip(first_a, first_b)) if x != y), 0) \
            if len(first_a) == len(first_b) else 0
        found["head_only"] = {"key": first_key, "ckpt_labels": str(first_a[axis]), "model_labels": str(first_b[axis])}
        return
    if _patch_size(found, mismatched) or _embedding_tables(found, mismatched):
        return
    if all(POS_WIDTH_RE.search(k) and len(a) == len(b) and a[:-1] == b[:-1] and a[-1] != b[-1] for k, a, b in mismatched):
        # the same number of positions in another width: the model's hidden size differs, not its grid
        found["width_ratio"] = {**shown, "ckpt_width": str(first_a[-1]), "model_width": str(first_b[-1]),
                                "mismatched_count": str(len(mismatched))}
        return
    if all(POS_RE.search(k) for k in keys):
        one_token = all(sum(x != y for x, y in zip(a, b)) == 1 and any(abs(x - y) == 1 for x, y in zip(a, b))
                        for _, a, b in mismatched if len(a) == len(b))
        if not one_token:  # 196 vs 197 is a class token, not another image grid
            found["pos_embed_only"] = shown
        return
    if all(len(a) == 2 and a != b and a == b[::-1] for _, a, b in mismatched):
        found["transposed"] = shown  # the same numbers of rows and columns, swapped: a layout, not a size
        return
    adapter_only = all(ADAPTER_RE.search(k) for k in keys)
    # PEFT < 0.3 kept a fused projection's LoRA (enable_lora, GPT-2 c_attn) as a Conv1d: lora_B [out, r, 1]
    conv_b = next((k for k, a, b in mismatched if LORA_UP_RE.search(k)
                   and any(len(shape) == 3 and shape[-1] == 1 for shape in (a, b))), None)
    if adapter_only and conv_b is not None:
        found["lora_old_format"] = {"key": conv_b}
        return
    rank_only = adapter_only and _rank_only(mismatched)
    if rank_only and all(FUSED_QKV_RE.search(k) for k in keys) \
            and all(a[_rank_axis(k)] == 2 * b[_rank_axis(k)] for k, a, b in mismatched):
        # the same PEFT < 0.3 adapter with its 3-D lora_B lines cut off: on a fused q/k/v projection its
        # lora_A stacks q's and v's ranks (enable_lora=[True, False, True]): exactly twice the config's r
        found["lora_old_format"] = {"key": first_key}
        return
    if rank_only:
        axis = _rank_axis(first_key)
        found["lora_rank"] = {**shown, "ckpt_rank": str(first_a[axis]), "model_rank": str(first_b[axis])}
        return
    if all(a[1:] == b or b[1:] == a for _, a, b in mismatched):
        found["leading_axis"] = shown  # one copy per device, ensemble member or scanned layer
        return
    if all(a != b and _numel(a) == _numel(b) for _, a, b in mismatched):
        found["reshaped"] = shown
        return
    if _attention_heads_only(mismatched):
        # the projections' hidden axis agrees, their heads axis does not, and nothing else differs (the MLPs and
        # norms of a model of another width would): another number of heads or key/value heads at the same width
        found["attention_heads_only"] = shown
        return
    ratios: Counter[Fraction] = Counter()  # 192/256, 384/512 and 768/1024 are one ratio: Swin-T vs Swin-B
    first_pair: dict[Fraction, tuple[int, int]] = {}
    layered = 0
    for key, a, b in mismatched:
        if _layer(key) or "." in key:
            layered += 1
        for x, y in zip(a, b):
            if x != y and x > 0 and y > 0:
                ratios[Fraction(x, y)] += 1
                first_pair.setdefault(Fraction(x, y), (x, y))
    if not ratios:
        return
    ratio = ratios.most_common(1)[0][0]
    ckpt, model = first_pair[ratio]
    consistent = sum(1 for _, a, b in mismatched if any(x != y and y > 0 and Fraction(x, y) == ratio for x, y in zip(a, b)))
    if layered >= 2 and consistent >= max(2, len(mismatched) // 2):
        found["width_ratio"] = {**shown, "ckpt_width": str(ckpt), "model_width": str(model),
                                "mismatched_count": str(len(mismatched))}
    elif layered >= 3 and len(ratios) >= 3:
        found["mixed_widths"] = shown  # every layer another width: a pruned or hand-edited model, not a size


# the attention's q / k / v / output projections (Llama / Qwen / Mistral, BERT, GPT-NeoX, T5, CLIP)
ATTN_PROJ_RE = re.compile(r"(?:^|\.)(?:self_attn|attn|attention|self_attention|SelfAttention|EncDecAttention)\."
                          r"(?:(?:self|output)\.)?(?:[qkvo]_proj|q|k|v|o|query|key|value|dense|out_proj|query_key_value)"
                          r"\.(?:weight|bias)$")


def _attention_heads_only(mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """Only attention projections differ, each matrix in one axis only, all of them sharing one width on the other
    (the model's hidden size): the heads (or key/value heads) the config counts differ, the width does not (a
    structurally pruned model whose config kept the original head count, a GQA checkpoint under a config without
    ``num_key_value_heads``)."""
    widths = set()
    for key, a, b in mismatched:
        if not ATTN_PROJ_RE.search(key) or len(a) != len(b) or len(a) not in (1, 2):
            return False
        if len(a) == 2:
            same = [x for x, y in zip(a, b) if x == y]
            if len(same) != 1:
                return False
            widths.add(same[0])
    return len(widths) == 1


def _patch_size(found: dict, mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """A patch (stem) convolution of another kernel size, the channels equal, with at most position tables
    besides (their token count follows the patch grid): a ViT of another patch size."""
    kernels = [(k, a, b) for k, a, b in mismatched
               if len(a) == len(b) == 4 and a[:2] == b[:2] and a[2:] != b[2:] and a[2] == a[3] and b[2] == b[3]]
    if not kernels or not all((k, a, b) in kernels or POS_RE.search(k) for k, a, b in mismatched):
        return False
    key, a, b = kernels[0]
    found["patch_size"] = {**_shown(key, a, b), "ckpt_patch": str(a[2]), "model_patch": str(b[2])}
    return True


def _embedding_tables(found: dict, mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """Embedding tables of two kinds or more (vocabulary, positions, token types) differ, only in their rows:
    the config sizing them is another model's."""
    kinds = set()
    for key, a, b in mismatched:
        if len(a) != 2 or len(b) != 2 or a[1] != b[1] or a[0] == b[0]:
            return False
        kind = "vocab" if VOCAB_RE.search(key) else "pos" if POS_WIDTH_RE.search(key) else \
            "type" if TYPE_EMBED_RE.search(key) else None
        if kind is None:
            return False
        kinds.add(kind)
    if len(kinds) < 2:
        return False
    key, a, b = mismatched[0]
    found["embedding_tables"] = {**_shown(key, a, b), "tables": ", ".join(k for k, _, _ in mismatched[:6])}
    return True


def _context_dim(found: dict, mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """A cross-attention key/value projection ([out, context], a LoRA down [r, context]) whose context width
    differs, both widths a Stable Diffusion family's text width (:data:`CONTEXT_DIMS`): the checkpoint is
    another family's than the UNet built. The rows may differ too: SDXL's up_blocks.1 has 640 channels where
    SD 1.x's has 1280 ([640, 2048] vs [1280, 768])."""
    for key, a, b in mismatched:
        if CROSS_KV_RE.search(key) and len(a) == len(b) == 2 and a[1] != b[1] \
                and a[1] in CONTEXT_DIMS and b[1] in CONTEXT_DIMS:
            found["context_dim"] = {**_shown(key, a, b), "ckpt_context": str(a[1]), "model_context": str(b[1]),
                                    "ckpt_family": CONTEXT_DIMS[a[1]], "model_family": CONTEXT_DIMS[b[1]]}
            return True
    return False
