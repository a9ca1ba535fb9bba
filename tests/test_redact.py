"""Secrets in a pasted log never reach the output; the diagnosis does not change."""

import json

from conftest import run_kbfix

import kbfix
from kbfix.redact import redact

SECRETS = {
    "hf": "hf_" + "A1b2C3d4" * 5,
    "openai": "sk-proj-" + "x9Y8z7W6" * 4,
    "aws": "AKIA" + "ABCDEFGHIJ234567",
    "email": "lee.wang@example.com",
}
LOG = (f"export HF_TOKEN={SECRETS['hf']}\nOPENAI_API_KEY={SECRETS['openai']} aws={SECRETS['aws']}\n"
       f"contact {SECRETS['email']}\nAWS_SECRET_ACCESS_KEY={'k' * 40}\n"
       "git clone https://lee:s3cretpw@github.com/org/repo\n"
       "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n"
       "ValueError: optimizer got an empty parameter list\n")


def test_every_kind_is_replaced():
    out = redact(LOG)
    for secret in (*SECRETS.values(), "k" * 40, "s3cretpw"):
        assert secret not in out
    assert "<redacted:hf-token>" in out and "AWS_SECRET_ACCESS_KEY=<redacted:aws-secret-key>" in out
    assert "https://<redacted:url-password>@github.com" in out


def test_text_and_json_outputs_are_clean_and_the_diagnosis_is_the_same(tmp_path):
    plain = kbfix.diagnose(LOG, redact=False)
    clean = kbfix.diagnose(LOG)
    assert (clean.verdict, clean.best.entry.id) == (plain.verdict, plain.best.entry.id)
    path = tmp_path / "log.txt"
    path.write_text(LOG)
    for args in (("diagnose", str(path)), ("diagnose", str(path), "--json")):
        out = run_kbfix(*args).stdout.decode()
        assert not any(secret in out for secret in SECRETS.values()), out
    kept = run_kbfix("diagnose", str(path), "--json", "--no-redact").stdout.decode()
    assert json.loads(kept)["verdict"] == "match"


def test_nothing_to_redact_is_untouched():
    assert redact("ValueError: x at 3@4") == "ValueError: x at 3@4"
