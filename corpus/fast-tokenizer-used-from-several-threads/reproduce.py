"""One PreTrainedTokenizerFast (a WordLevel tokenizer built here, no download) shared by four threads that each call it
with their own max_length: a thread's set_truncation_and_padding calls enable_truncation (a `&mut self` method of the
Rust Tokenizer) while another thread is inside encode_batch, which holds a shared borrow with the GIL released, and
PyO3 raises "RuntimeError: Already borrowed". The loop stops at the first error (it appears within milliseconds; at
most 60 s are tried) and re-raises it with the worker thread's traceback.

fixed() runs the same load with one deepcopy of the tokenizer per thread (fix 0), with one lock around every call
(fix 1), and with the same max_length in every thread (fix 2: transformers >= 4.9 then never touches the Rust object),
and checks that every returned sequence has the length its own caller asked for.

Only tokenizers 0.9 to 0.22 raise it (0.23.1 guards the Rust object with a RwLock: no error, but the settings race
stays): with any other release the test is skipped.
"""

from kbfix.reproduce import release_within

# this module is never installed: it stands for "a tokenizers release that raises (0.9 to 0.22)"
# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ('tokenizers==0.22.1', 'transformers==4.57.1', 'huggingface_hub==0.36.0')
REQUIRES = ("tokenizers", "transformers") + (
    () if release_within("tokenizers", (0, 9), (0, 23)) else ("kbfix_requires_tokenizers_0_9_to_0_22",))
FIXES = (0, 1, 2)

THREADS = 4
CALLS = 40  # per thread in fixed()


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["[UNK]", "[PAD]"] + [f"w{i}" for i in range(200)]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]")


TEXT = " ".join(f"w{i % 200}" for i in range(2000))  # long enough that encode_batch keeps the borrow a while


def _load(get_tokenizer, max_length_of, calls=None, seconds=60.0, lock=None):
    """THREADS threads call the tokenizer; returns (first exception or None, wrong lengths, calls made)."""
    import contextlib
    import threading
    import time

    stop = threading.Event()
    errors, wrong, made = [], [], [0]
    deadline = time.monotonic() + seconds

    def work(k):
        n = 0
        while not stop.is_set() and (calls is None or n < calls) and time.monotonic() < deadline:
            length = max_length_of(k, n)
            try:
                with lock if lock is not None else contextlib.nullcontext():
                    out = get_tokenizer()([TEXT] * 8, truncation=True, max_length=length)
            except Exception as exc:  # noqa: BLE001 - the error is the product
                errors.append(exc)
                stop.set()
                return
            if any(len(ids) != length for ids in out["input_ids"]):
                wrong.append(length)
            n += 1
            made[0] += 1

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (errors[0] if errors else None), wrong, made[0]


def reproduce():
    tok = _tokenizer()
    error, _, made = _load(lambda: tok, lambda k, n: 16 + k + n % 5)   # every thread its own max_length
    if error is None:
        raise AssertionError(f"no borrow conflict in {made} concurrent calls")
    raise error                                                         # RuntimeError: Already borrowed


def fixed():
    import copy
    import threading

    shared = _tokenizer()
    report = []

    # fix 0: one copy per thread (threading.local)
    local = threading.local()

    def per_thread():
        if not hasattr(local, "tok"):
            local.tok = copy.deepcopy(shared)
        return local.tok

    error, wrong, made = _load(per_thread, lambda k, n: 16 + k + n % 5, calls=CALLS)
    assert error is None and not wrong, (error, wrong[:5])
    report.append(f"per-thread copies: {made} calls, every length as asked")

    # fix 1: one lock around every call of the shared tokenizer
    error, wrong, made = _load(lambda: shared, lambda k, n: 16 + k + n % 5, calls=CALLS, lock=threading.Lock())
    assert error is None and not wrong, (error, wrong[:5])
    report.append(f"lock: {made} calls, every length as asked")

    # fix 2: the same settings in every thread (no enable_truncation after the first call)
    error, wrong, made = _load(lambda: shared, lambda k, n: 32, calls=CALLS)
    assert error is None and not wrong, (error, wrong[:5])
    report.append(f"one max_length for all threads: {made} calls, every length as asked")
    return "\n".join(report) + "\n"
