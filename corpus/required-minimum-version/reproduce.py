"""transformers' require_version refuses the installed tokenizers when the requirement's minimum is above
it (as when transformers is newer than the tokenizers installed beside it)."""

REQUIRES = ("transformers", "tokenizers")
FIXES = ()


def reproduce():
    from transformers.utils.versions import require_version

    require_version("tokenizers>=999.0", "Try: `pip install -U tokenizers`")


def fixed():
    import tokenizers
    from transformers.utils.versions import require_version

    require_version(f"tokenizers>={tokenizers.__version__}", "Try: `pip install -U tokenizers`")  # a release in the range
