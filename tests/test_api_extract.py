"""The extractor behind the API history (scripts/api_extract.py) on small sources: what a module offers."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from api_extract import extract  # noqa: E402


def test_a_deleted_import_is_not_offered():
    # jax/__init__.py imports submodules for their side effects and deletes the names again
    facts = extract("from jax.interpreters import ad, xla\nimport os\ndel ad, xla\n")
    assert [i[3] for i in facts.imports] == ["os"]


def test_a_deleted_definition_is_not_offered_and_a_later_one_is():
    facts = extract("def helper(a):\n    pass\nx = 1\ndel helper, x\nfrom b import x\n")
    assert "helper" not in facts.defs and dict(facts.funcs) == {}
    assert [i[3] for i in facts.imports] == ["x"]


def test_del_inside_a_function_changes_nothing():
    facts = extract("import os\ndef f():\n    global os\n    del os\n")
    assert [i[3] for i in facts.imports] == ["os"] and "f" in facts.defs


def test_lazy_import_table_and_all():
    facts = extract('_import_structure = {"models.llama": ["LlamaModel"]}\n'
                    '_import_structure["trainer"].append("Trainer")\n__all__ = ["a"]\n__all__ += ["b"]\n')
    assert ("models.llama", "LlamaModel") in facts.lazy and ("trainer", "Trainer") in facts.lazy
    assert facts.all_names == ("a", "b")


def test_names_read_through_an_imported_module_count_as_uses():
    # optax 0.1.4 used jax.numpy.DeviceArray without importing the name: `jnp.DeviceArray` after `import jax.numpy as jnp`
    facts = extract("import jax\nimport jax.numpy as jnp\nfrom flax import linen as nn\n"
                    "def f(x):\n    isinstance(x, jnp.DeviceArray)\n    return jax.tree_util.tree_map(nn.relu, x)\n")
    uses = set(facts.all_imports)
    assert {(0, "jax.numpy", "DeviceArray"), (0, "jax", "tree_util"), (0, "jax.tree_util", "tree_map"),
            (0, "flax.linen", "relu")} <= uses
    assert not any(name == "x" or module == "x" for _, module, name in uses)  # a plain variable is no module
