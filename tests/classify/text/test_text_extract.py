"""Reading plain text, .eml and HTML, and refusing what is not text, in bounded time."""

from __future__ import annotations

import time

import pytest

from schoolgate.classify.text.errors import BinaryInput, InputTooLarge
from schoolgate.classify.text.extract import MAX_BYTES, extract, guess_kind, html_to_text

EML = (
    b"From: Parent <parent@example.com>\r\n"
    b"To: teacher@school.k12.ca.us\r\n"
    b"Subject: =?utf-8?q?Emma=E2=80=99s_schedule?=\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCall me at 415-555-2671.\r\n"
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>My password is <b>hunter2</b></p><script>alert('x')</script>\r\n"
    b"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--b--\r\n"
)


def test_eml_subject_plain_and_html_parts() -> None:
    got = extract(EML, "eml", "msg.eml")
    assert got.kind == "eml"
    assert "Emma’s schedule" in got.text
    assert "415-555-2671" in got.text
    assert "My password is hunter2" in got.text
    assert "alert" not in got.text  # scripts are dropped with their content


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Hello&nbsp;<b>world</b></p>", "Hello\xa0world"),
        ("<style>p{color:red}</style>text", "text"),
        ("a<!-- hidden -->b", "a b"),
        ("<div>one</div><div>two</div>", "one\n\ntwo"),
        ("x <script src=evil.js></script> y", "x y"),
        ("<svg><text>drawn</text></svg>shown", "shown"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
    ],
)
def test_html_to_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>" * 100_000,
        "<!--" * 200_000,
        "<a " * 200_000,
        "<" + "x" * 1_000_000,
        "<div " + 'a="' * 100_000,
        "<style>" + "p{}" * 200_000,
        "&" * 500_000 + "#" * 100_000,
    ],
)
def test_hostile_html_is_bounded(hostile: str) -> None:
    started = time.monotonic()
    html_to_text(hostile)
    assert time.monotonic() - started < 5.0


def test_binary_is_refused_with_the_reason() -> None:
    with pytest.raises(BinaryInput, match=r"img\.png: binary data \(NUL byte at offset 4\)"):
        extract(b"\x89PNG\x00\x00", "text", "img.png")
    with pytest.raises(BinaryInput, match=r"control bytes"):
        extract(bytes(range(1, 32)) * 50, "text", "x")


def test_malformed_utf8_is_replaced_and_reported() -> None:
    got = extract(b"caf\xc3 ok \xff\xfe done", "text", "m.txt")
    assert "\ufffd" in got.text and got.text.endswith("done")
    assert got.warnings and "m.txt" in got.warnings[0] and "not valid utf-8" in got.warnings[0]


def test_too_large_is_refused_before_parsing() -> None:
    with pytest.raises(InputTooLarge, match=r"big\.txt"):
        extract(b"a" * (MAX_BYTES + 1), "text", "big.txt")


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.eml", b"hello", "eml"),
        ("page.HTML", b"", "html"),
        ("-", b"<!DOCTYPE html><html>", "html"),
        ("-", b"From: a@b.c\nSubject: hi\n\nbody", "eml"),
        ("notes.txt", b"just text", "text"),
    ],
)
def test_guess_kind(name: str, head: bytes, kind: str) -> None:
    assert guess_kind(name, head) == kind
