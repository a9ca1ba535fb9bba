"""A LlamaConfig with the rope_scaling of Llama 3.1 (rope_type "llama3" and its three extra keys), built by a
transformers release that only validates {type, factor}.

Only transformers 4.31 to 4.42 raise it (4.43 added the llama3 rope type; 4.30 had no rope_scaling): with any other
release the test is skipped. The fix (upgrading transformers) cannot be applied inside one process, so FIXES is
empty and fixed() only shows that the same release accepts the two-key form it was written for.
"""


def _old_release():
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(part) for part in version("transformers").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return True  # not installed: REQUIRES already skips; unparsable: try it
    return major == 4 and 31 <= minor < 43


# this module is never installed: it stands for "a transformers release from 4.31 to 4.42"
REQUIRES = ("transformers",) + (() if _old_release() else ("kbfix_requires_transformers_4_31_to_4_42",))
FIXES = ()

LLAMA_3_1_ROPE_SCALING = {
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
    "rope_type": "llama3",
}


def reproduce():
    from transformers import LlamaConfig

    LlamaConfig(rope_scaling=dict(LLAMA_3_1_ROPE_SCALING))  # the config.json of Meta-Llama-3.1-8B


def fixed():
    from transformers import LlamaConfig

    config = LlamaConfig(rope_scaling={"type": "linear", "factor": 8.0})  # the only form this release knows
    assert config.rope_scaling["factor"] == 8.0
