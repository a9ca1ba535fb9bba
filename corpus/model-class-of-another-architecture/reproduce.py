"""Save a tiny DeBERTa-v2 (the architecture of every DeBERTa-v3 checkpoint), then load it with the
DeBERTa (v1) class, as simpletransformers' "deberta" model type and a hand-picked DebertaFor* class do.

The two classes keep their relative-position table in tensors of other shapes (v2: 2 * position_buckets
rows; v1: 2 * max_relative_positions), and name their attention projections differently. transformers 5
prints the model-type warning and a LOAD REPORT through its logger and then raises a short RuntimeError,
so reproduce() returns what the terminal shows: the log and the traceback.
"""

from kbfix.reproduce import transformers_load_failure

REQUIRES = ("torch", "transformers", "safetensors")
FIXES = (0,)


def _config():
    from transformers import DebertaV2Config

    return DebertaV2Config(
        vocab_size=128, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=64, relative_attention=True, position_buckets=16, max_relative_positions=-1,
        pos_att_type=["p2c", "c2p"], norm_rel_ebd="layer_norm", position_biased_input=False,
    )


def _save_v2(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import DebertaV2ForSequenceClassification

    DebertaV2ForSequenceClassification(_config()).save_pretrained(folder)


def reproduce():
    import tempfile

    from transformers import DebertaForSequenceClassification

    with tempfile.TemporaryDirectory() as folder:
        _save_v2(folder)
        return transformers_load_failure(lambda: DebertaForSequenceClassification.from_pretrained(folder))


def fixed():
    import tempfile

    from transformers import AutoModelForSequenceClassification, DebertaV2ForSequenceClassification

    with tempfile.TemporaryDirectory() as folder:
        _save_v2(folder)
        # fix 0: the class of the checkpoint's own model_type (the Auto class reads it from config.json)
        model = AutoModelForSequenceClassification.from_pretrained(folder)
        assert isinstance(model, DebertaV2ForSequenceClassification), type(model)
