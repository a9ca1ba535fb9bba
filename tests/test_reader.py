"""The streaming reader: encodings, NUL bytes, binary input, long lines, the kept excerpt."""

import codecs
import io

import pytest

from kbfix.reader import Excerpt, InputError, check_text, read_stream

TB = ("Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n"
      "ValueError: optimizer got an empty parameter list\n")


def read(data: bytes) -> str:
    return check_text(read_stream(io.BytesIO(data)))


def test_utf8_with_and_without_bom():
    assert "empty parameter list" in read(TB.encode())
    assert read(codecs.BOM_UTF8 + TB.encode()).startswith("Traceback")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom(codec):
    data = TB.encode(codec) if codec != "utf-16-be" else codecs.BOM_UTF16_BE + TB.encode(codec)
    assert "ValueError: optimizer got an empty parameter list" in read(data)


def test_a_stray_nul_does_not_make_a_log_binary():
    big = ("step 1 loss 0.5\n" * 200_000).encode() + b"\x00" + TB.encode()
    assert "ValueError" in read(big)


def test_binary_input_is_refused_and_dev_zero_is_not_read_forever():
    with pytest.raises(InputError, match="binary"):
        read(bytes(range(256)) * 1000)
    with open("/dev/zero", "rb") as zeros:
        excerpt = read_stream(zeros)
    assert excerpt.binary and excerpt.bytes <= 1 << 17
    with pytest.raises(InputError, match="binary"):
        check_text(excerpt)


def test_empty_and_blank_input():
    with pytest.raises(InputError, match="no input"):
        read(b"")
    with pytest.raises(InputError, match="blank"):
        read(b"\n\n  \n")


def test_long_lines_are_clipped_and_flagged():
    excerpt = read_stream(io.BytesIO(b"x" * 100_000 + b"\n" + TB.encode()))
    assert excerpt.long_lines == 1 and excerpt.truncated
    assert "ValueError" in check_text(excerpt)


def test_a_long_log_keeps_the_error_blocks_and_the_tail():
    noise = "".join(f"step {i} loss 0.5\n" for i in range(10_000))
    excerpt = Excerpt(tail_lines=100)
    read_stream(io.BytesIO((TB + noise).encode()), excerpt=excerpt)
    text = check_text(excerpt)
    assert "ValueError: optimizer got an empty parameter list" in text and "step 9999 loss" in text
    assert "step 5000 loss" not in text and excerpt.truncated


def test_echo_passes_every_byte_through():
    out = io.BytesIO()
    data = codecs.BOM_UTF16_LE + TB.encode("utf-16-le")
    read_stream(io.BytesIO(data), echo=out)
    assert out.getvalue() == data
