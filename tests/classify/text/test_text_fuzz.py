"""Hypothesis fuzzing: any text, any bytes, any markup gives a result or a TextScanError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolgate.classify.text import analyze, detect, make_context
from schoolgate.classify.text.errors import TextScanError
from schoolgate.classify.text.extract import extract, html_to_text

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters that exercise the detectors: digits, separators, leet, look-alikes, markup.
TRICKY = st.sampled_from(
    list("0123456789-().+@ #*$!|_,:/\n\t'\"<>&;=")
    + list("aeiousthfuckpw")
    + ["ѕ", "о", "ｆ", "\u200b", "é", "😂", "\ufffd", "\ud800"]
)
TRICKY_TEXT = st.text(TRICKY, max_size=300) | st.text(max_size=300)
CTX = make_context(["Emma Johnson", "Maria de la Cruz"], {"district": r"S\d{7}"})


@SETTINGS
@given(TRICKY_TEXT)
def test_analyze_any_text(text: str) -> None:
    result = analyze(text, CTX)
    assert all(0.0 <= v <= 1.0 for v in result.labels.values())
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)
        assert 0.0 < f.score <= 1.0


@SETTINGS
@given(TRICKY_TEXT)
def test_detect_is_deterministic(text: str) -> None:
    assert detect(text, CTX) == detect(text, CTX)


@SETTINGS
@given(st.binary(max_size=600), st.sampled_from(["text", "eml", "html"]))
def test_extract_any_bytes(data: bytes, kind: str) -> None:
    try:
        got = extract(data, kind, "fuzz")
    except TextScanError as exc:
        assert str(exc).startswith("fuzz: ")
        return
    assert isinstance(got.text, str)


@SETTINGS
@given(st.text(st.sampled_from(list("<>/!-[]=\"' abcscriptyle&#;x")), max_size=400))
def test_html_any_markup(markup: str) -> None:
    text = html_to_text(markup)
    assert "<script" not in text.lower() or "<script" in markup.lower()
