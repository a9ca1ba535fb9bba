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


def test_a_keyword_renamed_by_a_decorator_is_still_accepted():
    # transformers 4.46-4.57 Trainer.__init__ (trl 0.12-0.15 trainers too): `tokenizer=` works, with a warning,
    # until the decorator is removed; a name the def declares itself is not added twice
    facts = extract(
        "from transformers.utils.deprecation import deprecate_kwarg\n"
        "class Trainer:\n"
        '    @deprecate_kwarg("tokenizer", new_name="processing_class", version="5.0.0", raise_if_both_names=True)\n'
        "    def __init__(self, model=None, processing_class=None):\n        pass\n"
        '    @deprecate_kwarg(old_name="past_key_value", new_name="past_key_values", version="4.58")\n'
        "    def forward(self, x, *, past_key_values=None, **kwargs):\n        pass\n"
        '    @deprecate_kwarg("model", version="1.0")\n'
        "    def step(self, model):\n        pass\n")
    funcs = dict(facts.funcs)
    assert funcs["Trainer.__init__"] == "self,model=,processing_class=,*,tokenizer="
    assert funcs["Trainer.forward"] == "self,x,*,past_key_values=,past_key_value=,**kwargs"
    assert funcs["Trainer.step"] == "self,model"
