"""A vision model fine-tuned and saved the way a tokenizer-only save routine does it: ``model.save_pretrained`` (and,
for a VLM, the tokenizer) but never the image processor, as a Trainer given ``processing_class=processor.tokenizer``
(or nothing), EasyR1 before PR #48 or ``pipeline.save_pretrained`` in transformers 4.31 leave it. Loading the
processor from that folder makes the real transformers raise ``OSError``: ``<folder> does not appear to have a file
named preprocessor_config.json`` (4.3x-4.49) or ``Can't load image processor for '<folder>' ... containing a
preprocessor_config.json file`` (4.5x, 5.x). A tiny ViT is built from a config; nothing is downloaded.

fixed(): fix 0 saves the processor into the same folder (what ``processing_class=processor`` makes ``save_model`` do)
and the folder loads.
"""

# the image processors need Pillow, which the test environment may lack (scripts/verify.py --overlays)
OVERLAY = ("pillow==11.3.0",)
REQUIRES = ("torch", "transformers", "PIL")
FIXES = (0,)


def _save_model_only(tmp):
    import os

    from transformers import ViTConfig, ViTForImageClassification

    config = ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
                       image_size=32, patch_size=16, num_labels=3)
    folder = os.path.join(tmp, "vit-finetuned", "checkpoint-10")
    ViTForImageClassification(config).save_pretrained(folder)
    return folder


def _load(folder):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoImageProcessor

    return AutoImageProcessor.from_pretrained(folder)


def reproduce():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = _save_model_only(tmp)
        _load(folder)


def fixed():
    import tempfile

    from transformers import ViTImageProcessor

    with tempfile.TemporaryDirectory() as tmp:
        folder = _save_model_only(tmp)
        # fix 0: the processor used in training is saved next to the weights
        ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
        processor = _load(folder)
        return f"loaded {type(processor).__name__}"
