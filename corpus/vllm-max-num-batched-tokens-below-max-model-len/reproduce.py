"""A verl GRPO run with ``data.max_prompt_length=1024`` and ``data.max_response_length=8192`` starts its vLLM rollout
engine with ``max_model_len`` 9216 (prompt + response), chunked prefill off and verl's default token budget
``max_num_batched_tokens=8192`` (verl#259). vLLM's engine builds its ``SchedulerConfig`` from those arguments, and
``SchedulerConfig.verify_max_model_len`` refuses them: ``ValidationError: 1 validation error for SchedulerConfig`` /
``Value error, max_num_batched_tokens (8192) is smaller than max_model_len (9216)``. fixed() applies, each on its own,
fix 0 (a budget of 9216), fix 1 (chunked prefill on, the budget unchanged) and fix 2 (max_model_len lowered to the
budget): the scheduler config validates each time.

Nothing runs on a GPU and no model is loaded: the check only reads the arguments. vLLM is not installed in the test
environment: this runs in an overlay of vllm 0.34.0 (installed without its dependencies: ``vllm.config`` imports
pyzmq and aiohttp besides what the environment has); elsewhere the test skips it.
"""

from kbfix.reproduce import release_within

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays);
# importing vllm.config reaches vllm.distributed (pyzmq) and vllm.utils (aiohttp and its dependencies)
OVERLAY = ('vllm==0.34.0', 'pyzmq==27.3.0', 'aiohttp==3.14.5', 'multidict==7.2.1', 'yarl==1.25.1', 'propcache==0.5.4',
           'aiohappyeyeballs==2.7.1', 'aiosignal==1.4.0', 'frozenlist==1.8.0')
# SchedulerConfig with max_model_len / is_encoder_decoder as init-only arguments: verified with vllm 0.34.0
REQUIRES = ("torch", "transformers", "pydantic", "zmq", "aiohttp", "vllm") + (
    () if release_within("vllm", (0, 34), (0, 35)) else ("kbfix_requires_vllm_0_34",))
FIXES = (0, 1, 2)

PROMPT, RESPONSE = 1024, 8192      # data.max_prompt_length, data.max_response_length


def _scheduler(max_model_len, max_num_batched_tokens, enable_chunked_prefill):
    """The SchedulerConfig vLLM's EngineArgs.create_engine_config builds for a decoder-only text model."""
    from vllm.config.scheduler import SchedulerConfig

    return SchedulerConfig(max_model_len=max_model_len, is_encoder_decoder=False, is_multimodal_model=False,
                           max_num_batched_tokens=max_num_batched_tokens, enable_chunked_prefill=enable_chunked_prefill)


def reproduce():
    _scheduler(PROMPT + RESPONSE, 8192, enable_chunked_prefill=False)


def fixed():
    # each raises if still wrong
    _scheduler(PROMPT + RESPONSE, PROMPT + RESPONSE, enable_chunked_prefill=False)   # fix 0: a budget >= the length
    _scheduler(PROMPT + RESPONSE, 8192, enable_chunked_prefill=True)                  # fix 1: chunked prefill on
    _scheduler(8192, 8192, enable_chunked_prefill=False)                               # fix 2: max_model_len lowered
