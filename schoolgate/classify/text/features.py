"""The tokens the trained model reads: words and word pairs of a normalised message, plus what
the detectors found.

Detector findings enter as tokens ("<lex:strong>", "<w:fuck>", "<pii:PHONE_NUMBER>"), so
"f*ck" and "fuck" look the same to the model and a phone number in an ad counts as a phone number,
whatever its digits. Training and scanning call the same function, which is the point.
"""

from __future__ import annotations

import html
import re
from itertools import pairwise

from schoolgate.classify.text.finding import Finding

CHUNK_CHARS = 4000

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]{1,2000}")
_MENTION = re.compile(r"@\w{1,40}")
_MONEY = re.compile(r"[$£€]\s?\d[\d,]*(?:\.\d+)?")
_MONEY_WORDS = re.compile(r"\d[\d,]*(?:\.\d+)?\s?(?:dollars|bucks|usd)\b")
_NUMBER = re.compile(r"\d[\d,.]*")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
# Keep a-z; drop apostrophes ("don't" -> "dont"); all else is a gap.
_KEEP = b"abcdefghijklmnopqrstuvwxyz"
_WORD_BYTES = bytes.maketrans(
    bytes(c for c in range(256) if c not in _KEEP and c != 39),
    b" " * (256 - len(_KEEP) - 1),
)
_LEXICON_DETECTORS = ("profanity", "sexual_terms")
_ASCII_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_LETTERS = _ASCII_UPPER + b"abcdefghijklmnopqrstuvwxyz"


def tokens(text: str, findings: list[Finding] | tuple[Finding, ...] = ()) -> list[str]:
    """Normalised word tokens of ``text`` (one chunk) followed by marker and finding tokens.

    Words are ASCII letter runs of the lower-cased text (a bytes.translate, which is fast);
    URLs, @mentions, money and numbers become placeholder words ("qqurl") first. Punctuation
    and emoji enter only as presence markers.
    """
    if "&" in text:
        text = html.unescape(text)
    lower = text.lower()
    if "http" in lower or "www." in lower:
        lower = _URL.sub(" qqurl ", lower)
    if "@" in lower:
        lower = _MENTION.sub(" qquser ", lower)
    if "$" in lower or "£" in lower or "€" in lower:
        lower = _MONEY.sub(" qqmoney ", lower)
    if "dollars" in lower or "bucks" in lower or "usd" in lower:
        lower = _MONEY_WORDS.sub(" qqmoney ", lower)
    if _NUMBER.search(lower):
        lower = _NUMBER.sub(" qqnum ", lower)
    raw = lower.encode("ascii", "replace").translate(_WORD_BYTES, b"'")
    out = raw.decode("ascii").split()
    if "!" in text:
        out.append("<excl>")
    if "?" in text:
        out.append("<quest>")
    if not text.isascii() and _EMOJI.search(text):
        out.append("<emoji>")
    head = text[:400].encode("ascii", "ignore")
    letters = len(head) - len(head.translate(None, _ASCII_LETTERS))
    if letters >= 8 and len(head) - len(head.translate(None, _ASCII_UPPER)) > 0.6 * letters:
        out.append("<shout>")
    for f in findings:
        if f.detector in _LEXICON_DETECTORS:
            severity = f.pattern.split(":")[1]
            out.append(f"<lex:{severity}>")
            word = f.explanation.split("'")[1] if "'" in f.explanation else ""
            if word:
                out.append(f"<w:{word.replace(' ', '_')}>")  # tokens never hold spaces
            if f.pattern.endswith(":obfuscated"):
                out.append("<lex:obfuscated>")
        else:
            out.append(f"<pii:{f.entity}>")
    return out


def feature_strings(toks: list[str]) -> set[str]:
    """Unigrams and adjacent pairs ("a b"), as a set: presence, not counts.

    Training names features by these strings; scanning never builds them (see model.py).
    """
    grams = set(toks)
    grams.update(map(" ".join, pairwise(toks)))
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
