import json

import pytest

from kbfix.artifacts import target
from kbfix.probes import detect, orbax

pytest.importorskip("jax")


def test_tree_from_metadata(tmp_path):
    folder = tmp_path / "checkpoint_1000"
    folder.mkdir()
    tree = {"('params', 'SigLiPFromPatches_0', 'siglip_encoder', 'kernel')": {},
            "('params', 'transformer', 'embedder', 'input_embedding')": {}}
    (folder / "_METADATA").write_text(json.dumps({"tree_metadata": tree}))
    assert detect(folder).kind == target.ORBAX
    found = orbax.run(detect(folder))
    assert found[0].facts["tree"] == {"params": ["SigLiPFromPatches_0", "transformer"]}
