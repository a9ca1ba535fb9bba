"""Ask transformers for a gated repo without a token. No network: the Hub is replaced by an in-process HTTP transport
that answers the way huggingface.co answers for a gated repo (401 with the X-Error-Code "GatedRepo" header and the
Hub's reason), so huggingface_hub's real hf_raise_for_status raises GatedRepoError and transformers' real cached_file
turns it into its OSError. The fix sends the token of an account that was granted access."""

REQUIRES = ("transformers", "huggingface_hub")  # huggingface_hub >= 1.0 (set_client_factory, an httpx-style client)
FIXES = (1,)

REPO_ID = "kbfix-test/gated-tiny-qwen2"
GRANTED_TOKEN = "hf_kbfix_token_with_access"  # what `hf auth login` / HF_TOKEN provide once the terms are accepted


def _fake_hub():
    """Install a client factory whose transport plays the Hub for one gated repo; return the restore function."""
    import hashlib
    import importlib

    import huggingface_hub
    from huggingface_hub.utils import _http
    from transformers import Qwen2Config

    # the HTTP package huggingface_hub itself uses (httpx for 1.x, its successor for later releases)
    probe = _http.default_client_factory()
    http = importlib.import_module(type(probe).__module__.split(".")[0])
    probe.close()

    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1).to_json_string().encode()
    etag = hashlib.sha256(config).hexdigest()

    def hub(request):
        if request.headers.get("authorization") != f"Bearer {GRANTED_TOKEN}":
            reason = (f"Access to model {REPO_ID} is restricted. You must have access to it and be authenticated "
                      "to access it. Please log in.")
            return http.Response(401, headers={"X-Error-Code": "GatedRepo", "X-Error-Message": reason}, request=request)
        if request.url.path.endswith(f"/{REPO_ID}/resolve/main/config.json"):
            headers = {"X-Repo-Commit": "0" * 40, "ETag": f'"{etag}"', "Content-Length": str(len(config)),
                       "Content-Type": "application/json"}
            return http.Response(200, headers=headers, content=b"" if request.method == "HEAD" else config, request=request)
        return http.Response(404, headers={"X-Error-Code": "EntryNotFound"}, request=request)

    # the in-process transport is the only "network" there is, so offline mode (HF_HUB_OFFLINE=1, which the test
    # suite sets) can be lifted while it is installed; transformers < 4.47 kept its own copy of the flag
    from huggingface_hub import constants
    from transformers.utils import hub as transformers_hub

    saved = (constants.HF_HUB_OFFLINE, getattr(transformers_hub, "_is_offline_mode", None))
    constants.HF_HUB_OFFLINE = False
    if saved[1] is not None:
        transformers_hub._is_offline_mode = False
    huggingface_hub.set_client_factory(lambda: http.Client(transport=http.MockTransport(hub)))

    def restore():
        huggingface_hub.set_client_factory(_http.default_client_factory)
        constants.HF_HUB_OFFLINE = saved[0]
        if saved[1] is not None:
            transformers_hub._is_offline_mode = saved[1]

    return restore


def reproduce():
    import tempfile

    from transformers import AutoConfig

    restore = _fake_hub()
    try:
        with tempfile.TemporaryDirectory() as cache_dir:
            # no token reaches the request (a job started without HF_TOKEN, on a node where nobody logged in)
            AutoConfig.from_pretrained(REPO_ID, cache_dir=cache_dir, token=False)
    finally:
        restore()


def fixed():
    import tempfile

    from transformers import AutoConfig

    restore = _fake_hub()
    try:
        with tempfile.TemporaryDirectory() as cache_dir:
            # fix 1: the token of the account that accepted the terms reaches from_pretrained
            config = AutoConfig.from_pretrained(REPO_ID, cache_dir=cache_dir, token=GRANTED_TOKEN)
            assert config.num_hidden_layers == 2
    finally:
        restore()
