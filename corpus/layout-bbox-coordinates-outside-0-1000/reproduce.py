"""Feed a tiny LayoutLM model word boxes in pixels (not scaled to 0-1000): the 2-D position lookup overflows."""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

_WIDTH, _HEIGHT = 1654, 2339  # an A4 page scanned at 200 dpi
_PIXEL_BOXES = [[120, 80, 410, 118], [1210, 2200, 1530, 2251]]  # OCR boxes in pixels


def _tiny_model():
    from transformers import LayoutLMConfig, LayoutLMForTokenClassification

    config = LayoutLMConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                            intermediate_size=32, max_position_embeddings=32, max_2d_position_embeddings=1024,
                            num_labels=3)
    return LayoutLMForTokenClassification(config)


def _forward(boxes):
    import torch

    model = _tiny_model().eval()
    input_ids = torch.tensor([[2, 10, 11, 3]])
    bbox = torch.tensor([[[0, 0, 0, 0], *boxes, [1000, 1000, 1000, 1000]]])
    with torch.no_grad():
        return model(input_ids=input_ids, bbox=bbox)


def _normalize(box, width, height):
    return [int(1000 * box[0] / width), int(1000 * box[1] / height),
            int(1000 * box[2] / width), int(1000 * box[3] / height)]


def reproduce():
    _forward(_PIXEL_BOXES)


def fixed():
    out = _forward([_normalize(box, _WIDTH, _HEIGHT) for box in _PIXEL_BOXES])
    assert out.logits.shape == (1, 4, 3)
