"""The streamed reading of large LSP messages: the text decoded exactly, whatever the chunking."""

import io
import json
import random

import pytest

from kbfix.editors import lsp_stream

PIECES = ["a", "b", "\n", '"', "\\", "é", "中", "😀", "\t", "\x01", "x" * 50, "\\u", "\\\\u12", "\r\n"]


def read_all(stream) -> str:
    out = b""
    while True:
        data = stream.read(65536)
        if not data:
            return out.decode("utf-8", "surrogatepass")
        out += data


@pytest.mark.parametrize("seed", range(6))
def test_every_text_round_trips_through_the_stream(seed, monkeypatch):
    rng = random.Random(seed)
    for _ in range(60):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3000)))
        document = {"uri": "file:///a.log", "languageId": "log", "version": 1, "text": text}
        if rng.random() < 0.3:
            document = {"text": text, "uri": "file:///a.log"}  # clients order keys as they like
        message = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                              "params": {"textDocument": document}}, ensure_ascii=rng.random() < 0.5).encode()
        monkeypatch.setattr(lsp_stream, "CHUNK", rng.choice([7, 13, 64, 1000]))
        stdin = lsp_stream.Stdin(io.BytesIO(message + b"Content-Length: 3\r\n"), read_all, big=10)
        parsed = json.loads(stdin.read(len(message)))
        marker = parsed["params"]["textDocument"]["text"]
        assert marker.startswith(lsp_stream.MARKER)
        assert stdin.take(marker) == text
        assert parsed["params"]["textDocument"]["uri"] == "file:///a.log"
        assert stdin.readline() == b"Content-Length: 3\r\n"  # the next message is untouched


def test_small_messages_and_real_texts_pass_as_they_are():
    stdin = lsp_stream.Stdin(io.BytesIO(b'{"a": 1}'), read_all)
    assert stdin.read(8) == b'{"a": 1}'
    assert stdin.take("a log that begins like any other") is None
