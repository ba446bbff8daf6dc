"""The tokens the trained model reads: words and word pairs of a normalised message, plus what
the detectors found.

Detector findings enter as tokens ("<lex:strong>", "<w:fuck>", "<pii:PHONE_NUMBER>"), so
"f*ck" and "fuck" look the same to the model and a phone number in an ad counts as a phone number,
whatever its digits. Training and scanning call the same function, which is the point.
"""

from __future__ import annotations

import html
import re

from schoolgate.classify.text.finding import Finding

CHUNK_CHARS = 4000

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]{1,2000}", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_MENTION = re.compile(r"@\w{1,40}")
_MONEY = re.compile(r"[$£€]\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|bucks|usd)\b")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_TOKEN = re.compile(r"<[a-z]{2,6}>|[a-z]+(?:'[a-z]+)?|[!?]|[^\s\w<>]")
_LEXICON_DETECTORS = ("profanity", "sexual_terms")


def tokens(text: str, findings: list[Finding] | tuple[Finding, ...] = ()) -> list[str]:
    """Normalised word tokens of ``text`` (one chunk) followed by finding tokens."""
    if "&" in text:
        text = html.unescape(text)
    lower = text.lower()
    lower = _URL.sub(" <url> ", lower)
    lower = _EMAIL.sub(" <email> ", lower)
    lower = _MENTION.sub(" <user> ", lower)
    lower = _MONEY.sub(" <money> ", lower)
    lower = _NUMBER.sub(" <num> ", lower)
    out = _TOKEN.findall(lower)
    for f in findings:
        if f.detector in _LEXICON_DETECTORS:
            severity = f.pattern.split(":")[1]
            out.append(f"<lex:{severity}>")
            word = f.explanation.split("'")[1] if "'" in f.explanation else ""
            if word:
                out.append(f"<w:{word}>")
            if f.pattern.endswith(":obfuscated"):
                out.append("<lex:obfuscated>")
        else:
            out.append(f"<pii:{f.entity}>")
    return out


def feature_strings(toks: list[str]) -> set[str]:
    """Unigrams and adjacent pairs, as a set: presence, not counts."""
    grams = set(toks)
    grams.update(a + " " + b for a, b in zip(toks, toks[1:], strict=False))
    return grams


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """Split long text into spans of about ``size`` chars, at whitespace where there is some."""
    if len(text) <= size:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            cut = max(cut, text.rfind("\n", start + size // 2, end))
            if cut > start:
                end = cut
        spans.append((start, end))
        start = end
    return spans
