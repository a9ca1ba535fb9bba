"""Key and shape lists read from loading errors in every wording, and the facts that decide the cause."""

from kbfix.engine import keys


def facts(text: str) -> dict:
    return keys.analyse(keys.read(text)).found


def test_torch_prefix_from_data_parallel():
    found = facts('RuntimeError: Error(s) in loading state_dict for ResNet:\n'
                  '\tMissing key(s) in state_dict: "conv1.weight", "bn1.weight", "bn1.bias". \n'
                  '\tUnexpected key(s) in state_dict: "module.conv1.weight", "module.bn1.weight", "module.bn1.bias". ')
    assert found["prefix"]["strip"] == "module." and "tail_layers" not in found


def test_a_contiguous_tail_of_layers_missing():
    missing = ", ".join(f'"model.layers.{i}.mlp.up_proj.weight"' for i in range(24, 28))
    found = facts(f"RuntimeError: Error(s) in loading state_dict for Qwen2ForCausalLM:\n\tMissing key(s) in state_dict: "
                  f'{missing}, "model.norm.weight", "lm_head.weight". ')
    assert found["tail_layers"]["layers"] == "24-27" and found["tail_layers"]["layer"] == "24"


def test_a_tail_of_named_block_stacks_missing():
    # diffusers / DiT-style stacks (transformer_blocks, single_transformer_blocks) are layer stacks too
    missing = ", ".join(f'"transformer.transformer_blocks.{i}.attn.to_q.weight"' for i in range(18, 22))
    found = facts(f"RuntimeError: Error(s) in loading state_dict for CFM:\n\tMissing key(s) in state_dict: {missing}. ")
    assert found["tail_layers"]["layers"] == "18-21"


def test_vllm_weights_not_initialized_set():
    names = ", ".join(f"'model.layers.{i}.mlp.down_proj.weight'" for i in (30, 31, 29))
    found = facts(f"ValueError: Following weights were not initialized from checkpoint: {{{names}}}")
    assert found["tail_layers"]["layers"] == "29-31"


def test_transformers5_report_rows_fold_layers():
    found = facts("model.layers.{24, 25, 26, 27}.mlp.up_proj.weight | MISSING | \n"
                  "model.layers.{24...27}.input_layernorm.weight | MISSING | \nlm_head.weight | MISSING | ")
    assert found["tail_layers"]["layers"] == "24-27"


def test_only_computed_buffers_are_harmless():
    found = facts("Some weights of LlamaForCausalLM were not initialized from the model checkpoint at x and are newly "
                  "initialized: ['model.layers.0.self_attn.rotary_emb.inv_freq', 'model.layers.1.self_attn.rotary_emb.inv_freq']")
    assert "buffers_only" in found and "tail_layers" not in found


def test_flax_keys_printed_as_path_tuples():
    # transformers / diffusers Flax loaders print each key as the tuple of its path
    found = facts("Some weights of FlaxBertForSequenceClassification were not initialized from the model checkpoint at "
                  "bert-base-uncased and are newly initialized: {('classifier', 'bias'), ('classifier', 'kernel')}")
    assert "benign_keys_only" in found
    lists = keys.read("The checkpoint unet is missing required keys: {('up_blocks_2', 'attentions_0', 'proj_in', "
                      "'kernel'), ('encoder', 'layer', '6', 'output', 'LayerNorm', 'scale')}")
    assert lists.missing == ["up_blocks_2.attentions_0.proj_in.kernel", "encoder.layer.6.output.LayerNorm.scale"]


def test_gamma_beta_rename_pairs_up():
    found = facts('Missing key(s) in state_dict: "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias". '
                  'Unexpected key(s) in state_dict: "bert.embeddings.LayerNorm.gamma", "bert.embeddings.LayerNorm.beta". ')
    assert "gamma -> weight" in found["rename"]["renames"] and "prefix" not in found


def test_one_width_ratio_in_every_layer():
    lines = "\n".join(f"\tsize mismatch for visual.transformer.resblocks.{i}.ln_2.weight: copying a param with shape "
                      "torch.Size([1024]) from checkpoint, the shape in current model is torch.Size([768])." for i in range(3))
    found = facts(lines)
    assert found["width_ratio"]["ckpt_width"] == "1024" and found["width_ratio"]["model_width"] == "768"


def test_a_class_token_of_another_width_is_no_classifier_head():
    # CLIP's class_embedding and a patch embedding, ViT-L weights in a ViT-B model: widths, not classes
    found = facts("size mismatch for vision_model.embeddings.class_embedding: copying a param with shape torch.Size([1024]) "
                  "from checkpoint, the shape in current model is torch.Size([768]).\n"
                  "size mismatch for vision_model.embeddings.patch_embedding.weight: copying a param with shape "
                  "torch.Size([1024, 3, 14, 14]) from checkpoint, the shape in current model is torch.Size([768, 3, 14, 14]).")
    assert "head_only" not in found
    assert (found["width_ratio"]["ckpt_width"], found["width_ratio"]["model_width"]) == ("1024", "768")


def test_vocabulary_rows_head_and_position_embeddings():
    vocab = facts("size mismatch for model.embed_tokens.weight: copying a param with shape torch.Size([32001, 4096]) from "
                  "checkpoint, the shape in current model is torch.Size([32000, 4096]).")
    assert vocab["embedding_rows"] == {"key": "model.embed_tokens.weight", "ckpt_vocab": "32001", "model_vocab": "32000"}
    head = facts("- classifier.weight: found shape torch.Size([3, 768]) in the checkpoint and torch.Size([2, 768]) in the "
                 "model instantiated")
    assert head["head_only"]["ckpt_labels"] == "3"
    pos = facts("size mismatch for pos_embed: copying a param with shape torch.Size([1, 257, 384]) from checkpoint, the "
                "shape in current model is torch.Size([1, 197, 384]).")
    assert "pos_embed_only" in pos


def test_a_bare_embedding_and_its_output_layer_of_another_vocabulary():
    seq = facts("size mismatch for embedding.weight: copying a param with shape torch.Size([13380, 468]) from checkpoint, "
                "the shape in current model is torch.Size([13475, 468]).\n"
                "size mismatch for out.weight: copying a param with shape torch.Size([13380, 512]) from checkpoint, the "
                "shape in current model is torch.Size([13475, 512]).\n"
                "size mismatch for out.bias: copying a param with shape torch.Size([13380]) from checkpoint, the shape in "
                "current model is torch.Size([13475]).")
    assert seq["embedding_rows"] == {"key": "embedding.weight", "ckpt_vocab": "13380", "model_vocab": "13475"}
    # ChatGLM's PrefixEncoder table is `embedding` too: pre_seq_len rows are no vocabulary
    prefix = facts("size mismatch for embedding.weight: copying a param with shape torch.Size([8, 229376]) from "
                   "checkpoint, the shape in current model is torch.Size([128, 229376]).")
    assert "embedding_rows" not in prefix
    # rows and widths both differ: another model size
    size = facts("size mismatch for embed.weight: copying a param with shape torch.Size([30000, 512]) from checkpoint, "
                 "the shape in current model is torch.Size([32000, 768]).")
    assert "embedding_rows" not in size


def _mismatch(key: str, ckpt: str, model: str) -> str:
    return (f"size mismatch for {key}: copying a param with shape torch.Size([{ckpt}]) from checkpoint, the shape in "
            f"current model is torch.Size([{model}]).")


def test_fairseq_and_transformer_lens_vocabulary_tables():
    # fairseq's unshared decoder head is output_projection: a dictionary of another length, not another width
    fairseq = facts("\n".join(_mismatch(k, "256206, 1024", "32104, 1024") for k in (
        "encoder.embed_tokens.weight", "decoder.embed_tokens.weight", "decoder.output_projection.weight")))
    assert fairseq["embedding_rows"]["ckpt_vocab"] == "256206" and "width_ratio" not in fairseq
    # TransformerLens: embed.W_E [vocab, d], unembed.W_U [d, vocab] (vocabulary in its columns), unembed.b_U [vocab]
    lens = facts("\n".join((_mismatch("embed.W_E", "55296, 4096", "32000, 4096"),
                            _mismatch("unembed.W_U", "4096, 55296", "4096, 32000"),
                            _mismatch("unembed.b_U", "55296", "32000"))))
    assert lens["embedding_rows"] == {"key": "embed.W_E", "ckpt_vocab": "55296", "model_vocab": "32000"}
    alone = facts(_mismatch("unembed.W_U", "4096, 55296", "4096, 32000"))
    assert alone["embedding_rows"]["model_vocab"] == "32000"
    # its width differs too: another model size
    assert "embedding_rows" not in facts(_mismatch("embed.W_E", "32000, 5120", "32000, 4096") + "\n"
                                         + _mismatch("pos_embed.W_pos", "2048, 5120", "2048, 4096"))


def test_attention_heads_of_another_count_at_the_same_width_are_no_other_model_size():
    # a pruned Qwen2 whose config kept the head count (Torch-Pruning #436): q / o differ in their heads axis only,
    # every projection keeps the hidden size 3080; a GQA checkpoint's k_proj under a config without num_key_value_heads
    pruned = facts("\n".join((_mismatch("model.layers.0.self_attn.q_proj.weight", "3584, 3080", "3080, 3080"),
                              _mismatch("model.layers.0.self_attn.q_proj.bias", "3584", "3080"),
                              _mismatch("model.layers.0.self_attn.k_proj.weight", "512, 3080", "440, 3080"),
                              _mismatch("model.layers.0.self_attn.o_proj.weight", "3080, 3584", "3080, 3080"))))
    assert "attention_heads_only" in pruned and "width_ratio" not in pruned
    gqa = facts(_mismatch("model.layers.66.self_attn.k_proj.weight", "1024, 8192", "8192, 8192") + "\n"
                + _mismatch("model.layers.66.self_attn.v_proj.weight", "1024, 8192", "8192, 8192"))
    assert "attention_heads_only" in gqa
    # another width: the MLP differs too, or a projection differs in both axes
    wider = facts("\n".join((_mismatch("model.layers.0.self_attn.q_proj.weight", "4096, 4096", "3072, 3072"),
                             _mismatch("model.layers.0.mlp.up_proj.weight", "11008, 4096", "8192, 3072"))))
    assert "attention_heads_only" not in wider and "width_ratio" in wider


def test_a_lora_on_a_resized_head_or_embedding_differs_in_vocabulary_rows():
    # lora_B on the LM head is [vocab, r]; lora_embedding_A on the embedding is [r, vocab]
    head = facts("size mismatch for base_model.model.output.lora_B.default.weight: copying a param with shape "
                 "torch.Size([92608, 8]) from checkpoint, the shape in current model is torch.Size([92544, 8]).")
    assert head["embedding_rows"]["ckpt_vocab"] == "92608" and head["embedding_rows"]["model_vocab"] == "92544"
    embed = facts("size mismatch for base_model.model.model.embed_tokens.lora_embedding_A.default: copying a param with "
                  "shape torch.Size([8, 32005]) from checkpoint, the shape in current model is torch.Size([8, 32000]).")
    assert embed["embedding_rows"]["ckpt_vocab"] == "32005"
    # the same tensors of another rank are an adapter of another r
    rank = facts("size mismatch for base_model.model.lm_head.lora_B.default.weight: copying a param with shape "
                 "torch.Size([32000, 16]) from checkpoint, the shape in current model is torch.Size([32000, 8]).")
    assert "embedding_rows" not in rank and "lora_rank" in rank


def test_a_position_table_of_another_width_is_another_model_size():
    """CLIP's text positional_embedding is [context, width]: the same 77 positions in another width is a
    text tower of another size, not another grid; a table of other rows stays pos_embed_only."""
    line = ("size mismatch for positional_embedding: copying a param with shape torch.Size([77, {a}]) from checkpoint, "
            "the shape in current model is torch.Size([{rows}, {b}]).")
    found = facts(line.format(a=768, rows=77, b=1024))
    assert found["width_ratio"]["ckpt_width"] == "768" and "pos_embed_only" not in found
    assert "pos_embed_only" in facts(line.format(a=768, rows=50, b=768).replace("[77, 768]", "[197, 768]"))
    biases = facts("size mismatch for attention_biases: copying a param with shape torch.Size([4, 49]) from checkpoint, "
                   "the shape in current model is torch.Size([4, 144]).")
    assert "pos_embed_only" in biases and "width_ratio" not in biases  # [heads, offsets]: the grid's



def test_relative_position_tables_of_another_window_are_position_tables():
    """SAM / ViTDet ``rel_pos_h`` under a prefix of its own (``full_attn_rel_pos_h``) and Swin-V2 / FasterViT's
    ``relative_coords_table`` / ``relative_bias`` follow the window or grid, as ``pos_embed`` does."""
    line = ("size mismatch for {key}: copying a param with shape torch.Size([{a}, 64]) from checkpoint, the shape in "
            "current model is torch.Size([{b}, 64]).")
    for key in ("blocks.2.attn.full_attn_rel_pos_h", "layers.0.blocks.1.attn.relative_coords_table",
                "levels.1.blocks.0.mixer.pos_emb_funct.relative_bias"):
        assert "pos_embed_only" in facts(line.format(key=key, a=27, b=63)), key
    # a projection beside them is another model, not another grid
    both = facts(line.format(key="blocks.2.attn.full_attn_rel_pos_h", a=27, b=63) + "\n"
                 + line.format(key="blocks.2.attn.qkv.weight", a=192, b=288))
    assert "pos_embed_only" not in both

def test_another_patch_size_and_tables_of_another_config():
    patch = facts("size mismatch for vision_model.embeddings.patch_embedding.weight: copying a param with shape "
                  "torch.Size([768, 3, 16, 16]) from checkpoint, the shape in current model is torch.Size([768, 3, 32, 32]).\n"
                  "size mismatch for vision_model.embeddings.position_embedding.weight: copying a param with shape "
                  "torch.Size([197, 768]) from checkpoint, the shape in current model is torch.Size([50, 768]).")
    assert patch["patch_size"]["ckpt_patch"] == "16" and patch["patch_size"]["model_patch"] == "32"
    line = ("size mismatch for roberta.embeddings.{k}.weight: copying a param with shape torch.Size([{a}, 768]) from "
            "checkpoint, the shape in current model is torch.Size([{b}, 768]).")
    tables = facts("\n".join(line.format(k=k, a=a, b=b) for k, a, b in
                             (("word_embeddings", 50265, 30522), ("position_embeddings", 514, 512),
                              ("token_type_embeddings", 1, 2))))
    assert "embedding_tables" in tables and "mixed_widths" not in tables
    vocab_only = facts(line.format(k="word_embeddings", a=50265, b=30522))
    assert "embedding_rows" in vocab_only and "embedding_tables" not in vocab_only


def test_zero3_placeholders_and_a_real_scalar():
    assert "placeholder" in facts("size mismatch for model.layers.0.mlp.up_proj.weight: copying a param with shape "
                                  "torch.Size([0]) from checkpoint, the shape in current model is torch.Size([11008, 4096]).")
    assert "placeholder" not in facts("size mismatch for logit_scale: copying a param with shape torch.Size([1]) from "
                                      "checkpoint, the shape in current model is torch.Size([]).")
    # a DTensor shard of an uneven split (FSDP2 + TP) has zero rows but keeps its other dimensions
    assert "placeholder" not in facts("size mismatch for weight: copying a param with shape torch.Size([0, 17]) from "
                                      "checkpoint, the shape in current model is torch.Size([1, 17]).")


def test_lora_rank_is_not_another_model_size():
    text = "\n".join(f"size mismatch for base_model.model.layers.{i}.q_proj.lora_A.default.weight: copying a param with shape "
                     "torch.Size([32, 4096]) from checkpoint, the shape in current model is torch.Size([128, 4096])."
                     for i in range(3))
    found = facts(text)
    assert found["lora_rank"]["ckpt_rank"] == "32" and "width_ratio" not in found


def test_a_convolution_lora_of_another_rank_is_a_lora_rank_too():
    text = ("size mismatch for conv_in.lora_A.canny.weight: copying a param with shape torch.Size([64, 8, 3, 3]) from "
            "checkpoint, the shape in current model is torch.Size([16, 8, 3, 3]).\n"
            "size mismatch for conv_in.lora_B.canny.weight: copying a param with shape torch.Size([320, 64, 1, 1]) from "
            "checkpoint, the shape in current model is torch.Size([320, 16, 1, 1]).")
    found = facts(text)
    assert (found["lora_rank"]["ckpt_rank"], found["lora_rank"]["model_rank"]) == ("64", "16")
    # a kernel of another size is not a rank
    other = text.replace("[16, 8, 3, 3]", "[64, 8, 5, 5]").replace("[320, 16, 1, 1]", "[320, 64, 3, 3]")
    assert "lora_rank" not in facts(other)


def test_kohya_and_diffusers_lora_names_of_another_rank_wrapped_by_a_mail_client():
    """lora_down / lora_up (kohya) and to_q_lora.down / .up (diffusers attention processors) hold the rank as
    lora_A / lora_B do; a line wrapped anywhere, even losing a space at the break, still reads."""
    text = ("size mismatch for\nlora_unet_down_blocks_0_attn1_to_out_0.lora_up.weight:\ncopying a paramwith shape "
            "torch.Size([640, 8]) from checkpoint, the shape\nin current model is torch.Size([640, 16]).\n"
            "size mismatch for layers.0.to_q_lora.down.weight: copying a param with shape torch.Size([4, 320]) "
            "from checkpoint, the shape in current model is torch.Size([128, 320]).")
    found = facts(text)
    assert found["lora_rank"]["key"].endswith("lora_up.weight") and found["lora_rank"]["ckpt_rank"] == "8"
    assert "width_ratio" not in found


def test_a_3d_lora_b_is_an_adapter_saved_by_an_old_peft_not_a_rank_or_a_size():
    text = ("size mismatch for base_model.model.h.0.attn.c_attn.lora_A.default.weight: copying a param with shape "
            "torch.Size([32, 768]) from checkpoint, the shape in current model is torch.Size([16, 768]).\n"
            "size mismatch for base_model.model.h.0.attn.c_attn.lora_B.default.weight: copying a param with shape "
            "torch.Size([1536, 16, 1]) from checkpoint, the shape in current model is torch.Size([2304, 16]).")
    found = facts(text)
    assert found["lora_old_format"]["key"].endswith("lora_B.default.weight")
    assert not {"lora_rank", "width_ratio", "mixed_widths"} & set(found)


def test_a_fused_projection_with_twice_the_rank_is_the_old_format_with_its_lora_b_cut_off():
    """PEFT < 0.3 stacked q's and v's ranks in one lora_A of a fused q/k/v layer: exactly 2r rows. A list cut
    before its 3-D lora_B lines still tells it from an adapter of another rank; separate layers do not."""
    line = ("size mismatch for base_model.model.transformer.h.{i}.self_attention.{name}.lora_A.default.weight: copying "
            "a param with shape torch.Size([{a}, 4096]) from checkpoint, the shape in current model is torch.Size([8, 4096]).")
    fused = "\n".join(line.format(i=i, name="query_key_value", a=16) for i in range(2))
    assert "lora_old_format" in facts(fused) and "lora_rank" not in facts(fused)
    assert "lora_rank" in facts(fused.replace("query_key_value", "q_proj"))
    assert "lora_rank" in facts("\n".join(line.format(i=i, name="query_key_value", a=32) for i in range(2)))


def test_fvcore_wording():
    found = facts("Skip loading parameter 'roi_heads.box_predictor.cls_score.weight' to the model due to incompatible "
                  "shapes: (81, 1024) in the checkpoint but (7, 1024) in the model! You might want to double check")
    assert found["head_only"]["ckpt_labels"] == "81"


def test_paddle_and_detectron2_wordings():
    paddle = facts("UserWarning: Skip loading for pos_embed. pos_embed receives a shape [1, 197, 768], "
                   "but the expected shape is [1, 577, 768].")
    assert "pos_embed_only" in paddle
    detectron2 = keys.read("Shape of roi_heads.box_predictor.cls_score.weight in checkpoint is torch.Size([81, 1024]), "
                           "while shape of roi_heads.box_predictor.cls_score.weight in model is torch.Size([7, 1024]).")
    assert detectron2.mismatched == [("roi_heads.box_predictor.cls_score.weight", (81, 1024), (7, 1024))]
    assert keys.analyse(detectron2).found["head_only"]["ckpt_labels"] == "81"


def test_paddleseg_and_paddleocr_pretrained_wordings():
    seg = keys.read("[WARNING]   [SKIP] Shape of pretrained params backbone.features.4.conv_list.0.bn.weight doesn't "
                    "match.(Pretrained: [256], Actual: [128])")
    assert seg.mismatched == [("backbone.features.4.conv_list.0.bn.weight", (256,), (128,))]
    ocr = keys.read("ppocr WARNING: The shape of model params backbone.conv1.conv.weight [40, 3, 3, 3] not matched with "
                    "loaded params backbone.conv1.conv.weight [16, 3, 3, 3] !\n"
                    "The shape of model params head.fc.bias [12] not matched with loaded params shape [6625] !")
    assert ocr.mismatched == [("backbone.conv1.conv.weight", (16, 3, 3, 3), (40, 3, 3, 3)),
                              ("head.fc.bias", (6625,), (12,))]

    static = keys.read("[SKIP] Shape of pretrained weight ./pretrained_model/fast_scnn_cityscapes//classifier/weights "
                       "doesn't match.(Pretrained: (19, 128, 1, 1), Actual: (3, 128, 1, 1))")
    assert static.mismatched == [("pretrained_model.fast_scnn_cityscapes.classifier.weights", (19, 128, 1, 1), (3, 128, 1, 1))]
    assert keys.analyse(static).found["head_only"]["ckpt_labels"] == "19"
    # Paddle stores a Linear as [in, out]: the labels are the last axis
    head = keys.analyse(keys.read("The shape of model params head.fc.weight [512, 8423] not matched with loaded params "
                                  "head.fc.weight [512, 6625] !")).found["head_only"]
    assert (head["ckpt_labels"], head["model_labels"]) == ("6625", "8423")


def test_the_other_tower_of_a_clip_checkpoint_is_an_expected_surplus():
    text = facts("Some weights of the model checkpoint at openai/clip-vit-large-patch14 were not used when initializing "
                 "CLIPTextModel: ['vision_model.encoder.layers.4.mlp.fc1.bias', 'visual_projection.weight', 'logit_scale']")
    assert "benign_keys_only" in text
    vlm = facts("Some weights of the model checkpoint at x were not used when initializing Gemma3ForCausalLM: "
                "['vision_tower.vision_model.encoder.layers.0.mlp.fc1.bias']")
    assert "benign_keys_only" not in vlm


def test_bounded_on_hostile_input():
    text = 'Missing key(s) in state_dict: ' + '"a.b", ' * 200_000
    lists = keys.read(text)
    assert len(lists.missing) <= keys.MAX_KEYS


def test_a_long_dotted_line_is_read_in_linear_time():
    """A name pattern that starts anywhere (accelerate's "{key} doesn't have any device set") must not try every
    position of a long unquoted dotted line: the name is read backwards from the words instead."""
    import time

    text = 'Missing key(s) in state_dict: "' + "k." * 100_000 + '"\n\tUnexpected key(s) in state_dict: "' + "k." * 100_000
    start = time.perf_counter()
    keys.read(text)
    assert time.perf_counter() - start < 2.0
    assert keys.read("ValueError: model.layers.31.mlp.down_proj.weight doesn't have any device set.").missing == [
        "model.layers.31.mlp.down_proj.weight"]


def test_one_width_ratio_across_stages_of_different_widths():
    # Swin-T stage widths (192, 384, 768) in the checkpoint, Swin-B (256, 512, 1024) in the model: one ratio, 3/4
    line = ("WARNING [fvcore.common.checkpoint]: Skip loading parameter 'sem_seg_head.pixel_decoder.input_proj.{i}.0.weight' "
            "to the model due to {bold}incompatible shapes: (256, {a}, 1, 1) in the checkpoint but (256, {b}, 1, 1) in the model!")
    text = "\n".join(line.format(i=i, a=a, b=b, bold="**_" if i == 0 else "")
                     for i, (a, b) in enumerate(((192, 256), (384, 512), (768, 1024))))
    found = facts(text)
    assert found["width_ratio"]["ckpt_width"] == "192" and found["width_ratio"]["model_width"] == "256"
    assert found["width_ratio"]["mismatched_count"] == "3"  # the markdown-bold line is read too


def test_widths_with_no_common_ratio_are_mixed():
    text = "\n".join(f"size mismatch for model.layers.{i}.mlp.up_proj.weight: copying a param with shape "
                     f"torch.Size([{a}, 64]) from checkpoint, the shape in current model is torch.Size([{b}, 64])."
                     for i, (a, b) in enumerate(((100, 128), (90, 128), (70, 128))))
    found = facts(text)
    assert "mixed_widths" in found and "width_ratio" not in found



def test_weights_stored_transposed_are_a_layout_not_another_size():
    """GPT-2's Conv1D keeps [in, out] where nn.Linear keeps [out, in]: every matrix is the model's shape
    reversed. That is the same model in another layout, so no width ratio is claimed."""
    line = ("size mismatch for transformer.h.{i}.attn.c_attn.weight: copying a param with shape "
            "torch.Size([768, 2304]) from checkpoint, the shape in current model is torch.Size([2304, 768]).")
    found = facts("\n".join(line.format(i=i) for i in range(3)))
    assert found["transposed"]["ckpt_shape"] == "768, 2304" and "width_ratio" not in found
    wider = line.replace("[2304, 768]", "[3072, 1024]")
    assert "transposed" not in facts("\n".join(wider.format(i=i) for i in range(3)))


def test_transformers_2_wording_of_new_and_unused_weights_is_read():
    """transformers 2.x capitalised its warnings ("Weights of X not initialized from pretrained model",
    "Weights from pretrained model not used in X"): the lists are read, and a new head with unused
    pre-training heads is the expected surplus."""
    text = ("Weights of BertForTokenClassification not initialized from pretrained model: ['classifier.weight', "
            "'classifier.bias']\nWeights from pretrained model not used in BertForTokenClassification: "
            "['cls.predictions.bias', 'cls.seq_relationship.weight', 'cls.seq_relationship.bias']")
    found = facts(text)
    assert found["keys_listed"]["missing_count"] == "2" and found["keys_listed"]["unexpected_count"] == "3"
    assert "benign_keys_only" in found


def test_flax_shape_errors_are_read_and_a_copy_axis_or_reshape_is_not_another_size():
    """Flax's ScopeParamShapeError in its wordings: parameters replicated over devices or stacked over an
    ensemble carry one more leading axis; a release that stores a parameter in another shape keeps its
    number of elements. A different width is neither."""
    mid = ('flax.errors.ScopeParamShapeError: Initializer expected to generate shape (1, 3, 128) but got shape '
           '(3, 128) instead\nfor parameter "kernel" in "/FourierEmbs_0".')
    found = facts(mid)
    assert found["leading_axis"]["key"] == "FourierEmbs_0.kernel"
    old = ('ScopeParamShapeError: Inconsistent shapes between value and initializer for parameter "scale" in '
           '"/gn_root": (1, 1, 1, 64), (64,).')
    assert "reshaped" in facts(old) and "leading_axis" not in facts(old)
    wider = mid.replace("(1, 3, 128)", "(3, 256)")
    assert not {"leading_axis", "reshaped"} & set(facts(wider))


def test_a_16_bit_matrix_against_its_packed_4_bit_form_is_not_another_size():
    """bitsandbytes stores a 4-bit Linear weight flat as [out * in / 2, 1]: a 16-bit state dict loaded into
    a 4-bit model (or a 4-bit checkpoint into a 16-bit one) lists that relation for every matrix, which is
    no other architecture; a real width difference next to it is not the packed relation."""
    line = ("size mismatch for model.mm_projector.{i}.weight: copying a param with shape torch.Size([4096, 1024]) "
            "from checkpoint, the shape in current model is torch.Size([2097152, 1]).")
    into_model = "\n".join(line.format(i=i) for i in (0, 2))
    found = facts(into_model)
    assert found["packed_4bit"]["model_shape"] == "2097152, 1" and "packed_4bit_checkpoint" not in found
    reverse = into_model.replace("[4096, 1024]", "[X]").replace("[2097152, 1]", "[4096, 1024]").replace("[X]", "[2097152, 1]")
    assert "packed_4bit_checkpoint" in facts(reverse) and "packed_4bit" not in facts(reverse)
    odd = into_model.replace("[2097152, 1]", "[2097153, 1]", 1)
    assert not {"packed_4bit", "packed_4bit_checkpoint"} & set(facts(odd))


def test_quantization_group_tensors_of_another_group_size_are_not_another_model_size():
    """GPTQ's scales / qzeros hold one row per group: a checkpoint quantized without groups loaded with
    groupsize 128 ([1, 4096] vs [32, 4096]), or saved in the older per-channel layout ([8192, 1] vs
    [64, 8192]), keeps the model's width on both sides; a group tensor of another width is another size,
    and so is a packed weight that differs next to them."""
    line = ("size mismatch for model.layers.{i}.self_attn.{p}: copying a param with shape torch.Size([{a}]) "
            "from checkpoint, the shape in current model is torch.Size([{b}]).")
    groups = "\n".join(line.format(i=i, p=p, a=a, b=b) for i in (0, 1)
                       for p, a, b in (("k_proj.qzeros", "1, 512", "32, 512"), ("k_proj.scales", "1, 4096", "32, 4096")))
    assert facts(groups)["quant_groups"]["model_shape"] == "32, 512"
    old_layout = "\n".join(line.format(i=i, p="q_proj.scales", a="8192, 1", b="64, 8192") for i in (77, 78))
    assert "quant_groups" in facts(old_layout)
    other_width = "\n".join(line.format(i=i, p="q_proj.scales", a="5120, 1", b="1, 4096") for i in (0, 1))
    assert "quant_groups" not in facts(other_width)
    with_weight = groups + "\n" + line.format(i=0, p="k_proj.qweight", a="640, 5120", b="512, 4096")
    assert "quant_groups" not in facts(with_weight)


def test_a_heading_without_its_list_collects_no_later_quoted_words():
    """A list heading quoted in prose (its list cut from the paste) is followed by other lines: their
    quoted words ('cuda', a run name) are not keys, and the list that is there decides the facts."""
    text = ("- **Some weights of TagModel were not initialized from the model checkpoint at bert-base-uncased and are "
            "newly initialized:**\n\n```\nNamespace(lr=3e-05, data='Reuters', device='cuda', name='run2')\n"
            "Some weights of the model checkpoint at bert-base-uncased were not used when initializing TagModel: "
            "['cls.predictions.bias', 'bert.pooler.dense.weight', 'cls.seq_relationship.weight']\n")
    lists = keys.read(text)
    assert lists.missing == [] and len(lists.unexpected) == 3
    assert "benign_keys_only" in facts(text)
    # the list right after its heading, across a line break and inside markdown, is still read
    assert keys.read("Some weights of BertForSequenceClassification were not initialized from the model checkpoint at "
                     "bert-base-uncased and are newly initialized:\n**['classifier.weight', 'classifier.bias']**"
                     ).missing == ["classifier.weight", "classifier.bias"]
    assert keys.read("Missing key(s) in state_dict: dict_keys(['fc.weight'])").missing == ["fc.weight"]


def test_diffusers_meta_load_wording_model_shape_first():
    """diffusers' load_model_dict_into_meta names the model's (expected) shape first, the checkpoint's second;
    older releases print the meta tensor itself."""
    old = keys.read("ValueError: Cannot load ./unet because conv_in.weight expected shape tensor(..., device='meta', "
                    "size=(320, 4, 3, 3)), but got torch.Size([320, 9, 3, 3]). If you want to instead overwrite")
    assert old.mismatched == [("conv_in.weight", (320, 9, 3, 3), (320, 4, 3, 3))]
    new = facts("Cannot load  because text_model.embeddings.position_embedding.weight expected shape "
                "torch.Size([77, 1280]), but got torch.Size([77, 768]).")
    assert new["width_ratio"]["ckpt_width"] == "768" and new["width_ratio"]["model_width"] == "1280"


def test_a_bare_mmcv_list_followed_by_quoted_prose_is_read():
    """mmcv/mmengine list keys bare, comma-separated; a quoted word in the prose after the list ('backbone')
    does not hide it, nor does a full-width comma or a key the user cut with "..."."""
    text = ("unexpected key in source state_dict: backbone.conv1.weight, backbone.bn1.weight\uff0cand missing keys in "
            "source state_dict: conv1.weight, bn1.weight, bn1.bias, layer1.0.c\n\n"
            "I think your pretrained model have a 'backbone' prefix for the key")
    lists = keys.read(text)
    assert lists.unexpected == ["backbone.conv1.weight", "backbone.bn1.weight"]
    assert lists.missing == ["conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.c"]
    assert facts(text)["prefix"]["strip"] == "backbone."
    cut = keys.read('missing keys in source state_dict: module.backbone.conv1.weight.... It says "wrong"')
    assert cut.missing == ["module.backbone.conv1.weight"]
    # prose after a heading is still no list, whatever it quotes later
    assert keys.read("missing keys in source state_dict: see the log in 'run.txt'").missing == []
    # a bare list that runs to the end of the paste may end in a name cut mid-word: it is not read
    cut = keys.read("missing keys in source state_dict: blocks.0.attn.relative_position_index, "
                    "blocks.1.attn.relative_position_index, blocks.2.attn.relati")
    assert cut.missing == ["blocks.0.attn.relative_position_index", "blocks.1.attn.relative_position_index"]
    assert "buffers_only" in keys.analyse(cut).found


def test_timm_pretrained_load_log():
    lists = keys.read("INFO:timm.models._builder:Missing keys (head.fc.weight, head.fc.bias) discovered while loading "
                      "pretrained weights. This is expected if model is being adapted.\nUnexpected keys "
                      "(blocks.0.attn.relative_position_index) found while loading pretrained weights.")
    assert lists.missing == ["head.fc.weight", "head.fc.bias"]
    assert lists.unexpected == ["blocks.0.attn.relative_position_index"]


def test_an_imagenet_backbones_own_classifier_is_an_expected_surplus():
    """A detector loading an ImageNet backbone does not use its classifier (mmcv's warning), and a timm model
    built for another number of classes starts a new head: both expected. A complete last name is kept."""
    text = "WARNING - The model and loaded state dict do not match exactly unexpected key in source state_dict: fc.weight, fc.bias"
    assert keys.read(text).unexpected == ["fc.weight", "fc.bias"]
    assert "benign_keys_only" in facts(text)
    assert "benign_keys_only" in facts("Missing keys (head.weight, head.bias) discovered while loading pretrained weights.")
    # a nested fc is a model's own layer, not a backbone's classifier
    assert "benign_keys_only" not in facts("unexpected key in source state_dict: backbone.fc.weight, neck.fc.bias\n")


def _mismatch(key: str, ckpt: str, model: str) -> str:
    return (f"\tsize mismatch for {key}: copying a param with shape torch.Size([{ckpt}]) from checkpoint, "
            f"the shape in current model is torch.Size([{model}]).")


def test_cross_attention_context_width_names_the_stable_diffusion_family():
    # an SDXL UNet (context 2048) into an SD 1.x one (768): the 1x1-conv-vs-linear proj_in and the mixed
    # block widths around it do not hide the family
    sdxl = "\n".join([_mismatch("down_blocks.1.attentions.0.proj_in.weight", "640, 640", "640, 640, 1, 1"),
                      _mismatch("down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight", "640, 2048", "640, 768"),
                      _mismatch("up_blocks.1.attentions.1.transformer_blocks.0.attn2.to_v.weight", "640, 2048", "1280, 768"),
                      _mismatch("up_blocks.2.resnets.0.norm1.weight", "960", "1920"),
                      _mismatch("up_blocks.2.resnets.2.norm1.weight", "640", "960")])
    found = facts(sdxl)["context_dim"]
    assert (found["ckpt_family"], found["model_family"], found["ckpt_context"]) == ("SDXL", "SD 1.x", "2048")
    # LDM keys (webui, ComfyUI): an SD 1.5 checkpoint into an SD 2 config
    ldm = facts(_mismatch("model.diffusion_model.output_blocks.11.1.transformer_blocks.0.attn2.to_k.weight",
                          "320, 768", "320, 1024"))
    assert ldm["context_dim"]["model_family"] == "SD 2.x" and "width_ratio" not in ldm
    # kohya's LoRA of an SDXL base on an SD 1.5 one: the down projection reads the context
    lora = facts(_mismatch("lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight",
                           "32, 2048", "32, 768"))
    assert lora["context_dim"]["ckpt_family"] == "SDXL"


def test_cross_attention_lookalikes_are_not_a_family():
    # a LoRA of another rank on attn2: the rank differs, not the context
    rank = facts("\n".join(_mismatch(f"lora_unet_down_blocks_2_attentions_0_transformer_blocks_0_attn2_to_{p}.lora_up.weight",
                                     "1280, 32", "1280, 128") for p in "kv"))
    assert "lora_rank" in rank and "context_dim" not in rank
    # a width that no Stable Diffusion text encoder has (a hand-built model of another size)
    other = facts("\n".join(_mismatch(f"blocks.{i}.attn2.to_k.weight", "512, 512", "512, 384") for i in range(3)))
    assert "context_dim" not in other and "width_ratio" in other
    # the self-attention (attn1) does not read the text
    self_attn = facts(_mismatch("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_k.weight", "640, 768", "640, 1024"))
    assert "context_dim" not in self_attn
