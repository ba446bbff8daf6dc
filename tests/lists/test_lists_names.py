"""Normalisation: every spelling of a name becomes the one a DNS query carries."""

from __future__ import annotations

from collections import Counter

import pytest

from schoolgate.lists import names
from schoolgate.lists.names import BadName, normalise_name


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("example.com", "example.com", None),
        ("Example.COM", "example.com", names.N_CASE),
        ("example.com.", "example.com", names.N_TRAILING_DOT),
        (".example.com", "example.com", names.N_LEADING_DOT),
        ("  example.com \t", "example.com", None),
        ("bücher.example", "xn--bcher-kva.example", names.N_IDNA),
        ("BÜCHER.example", "xn--bcher-kva.example", names.N_IDNA),
        # UTS #46 non-transitional, as current browsers: ß stays ß, so not "fass.de".
        ("faß.de", "xn--fa-hia.de", names.N_IDNA),
        # Full-width letters and the ideographic full stop map to ASCII.
        ("ＥＸＡＭＰＬＥ。com", "example.com", names.N_IDNA),
        ("xn--bcher-kva.example", "xn--bcher-kva.example", None),
        ("XN--BCHER-KVA.example", "xn--bcher-kva.example", names.N_CASE),
        # An emoji A-label: IDNA 2008 forbids it but it resolves, so it is kept.
        ("xn--ls8h.la", "xn--ls8h.la", None),
        ("_dmarc.example.com", "_dmarc.example.com", None),
        ("w-w-i-s-.com", "w-w-i-s-.com", None),
        ("com", "com", None),
        ("a" * 63 + ".com", "a" * 63 + ".com", None),
        # A joiner is kept (browsers would refuse the name; listing it anyway costs nothing).
        ("x\u200dy.com", "xn--xy-m1t.com", names.N_IDNA),
    ],
)
def test_normalises(text: str, expected: str, note: str | None) -> None:
    notes: Counter[str] = Counter()
    assert normalise_name(text, notes) == expected
    if note:
        assert notes[note] == 1
    else:
        assert not notes


@pytest.mark.parametrize(
    ("text", "reason", "skipped"),
    [
        ("", names.R_EMPTY, False),
        (".", names.R_EMPTY, False),
        ("a..b", names.R_EMPTY_LABEL, False),
        ("exa mple.com", names.R_CHARS, False),
        ("example.com/path", names.R_CHARS, False),
        ("ex*ample.com", names.R_WILDCARD, False),
        ("a" * 64 + ".com", names.R_LABEL_LONG, False),
        (".".join(["abcdefghi"] * 26), names.R_TOO_LONG, False),
        ("xn--abc-.com", names.R_PUNYCODE, False),
        ("xn--abc.com", names.R_PUNYCODE, False),  # decodes to ASCII: no client produces it
        ("192.168.1.10", names.R_IP, True),
        ("2001:db8::1", names.R_IP, True),
        ("xn--.com", names.R_PUNYCODE, False),
    ],
)
def test_rejects(text: str, reason: str | None, skipped: bool) -> None:
    with pytest.raises(BadName) as caught:
        normalise_name(text)
    if reason is not None:
        assert caught.value.reason == reason
    assert caught.value.skipped is skipped


def test_disallowed_unicode_is_an_idna_error() -> None:
    with pytest.raises(BadName) as caught:
        normalise_name("exa\u0000mple.com")
    assert caught.value.reason.startswith(names.R_IDNA) or caught.value.reason == names.R_CHARS
