"""The tokens the trained model reads: words and word pairs of a normalised message, plus what
the detectors found.

Detector findings enter as tokens ("<lex:strong>", "<w:fuck>", "<pii:PHONE_NUMBER>"), so
"f*ck" and "fuck" look the same to the model and a phone number in an ad counts as a phone number,
whatever its digits. Training and scanning must see the same tokens, which is the point: scanning
builds a chunk's sentences in one pass (``piece_words``), and a test holds that to ``tokens``.
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
    return word_tokens(text) + markers(text) + finding_tokens(findings)


def word_tokens(text: str) -> list[str]:
    """The words ``tokens`` starts with, for a text already HTML-unescaped."""
    return _normalised(text).split()


def _normalised(text: str) -> str:
    """The text as space-separated placeholder and letter words (``text`` already unescaped)."""
    lower = text.lower()
    if "http" in lower or "www." in lower:
        lower = _URL.sub(" qqurl ", lower)
    if "@" in lower:
        lower = _MENTION.sub(" qquser ", lower)
    if "$" in lower or "£" in lower or "€" in lower:
        lower = _MONEY.sub(" qqmoney ", lower)
    if "dollars" in lower or "bucks" in lower or "usd" in lower:
        lower = _MONEY_WORDS.sub(" qqmoney ", lower)
    lower = _NUMBER.sub(" qqnum ", lower)
    return lower.encode("ascii", "replace").translate(_WORD_BYTES, b"'").decode("ascii")


MARKERS = frozenset({"<excl>", "<quest>", "<emoji>", "<shout>"})


def markers(text: str, among: frozenset[str] = MARKERS) -> list[str]:
    """Presence markers of an (unescaped) text: "!", "?", emoji, shouting.

    ``among`` is the markers the caller knows the text may have (see ``piece_markers``); the
    tests for the others are skipped.
    """
    out: list[str] = []
    if "!" in text and "<excl>" in among:
        out.append("<excl>")
    if "?" in text and "<quest>" in among:
        out.append("<quest>")
    if "<emoji>" in among and not text.isascii() and _EMOJI.search(text):
        out.append("<emoji>")
    if "<shout>" not in among or len(text) < 8:  # fewer than eight letters never shout
        return out
    head = text[:400].encode("ascii", "ignore")
    upper = len(head) - len(head.translate(None, _ASCII_UPPER))
    if upper < 5:  # shouting is over 60 % of at least eight letters
        return out
    letters = len(head) - len(head.translate(None, _ASCII_LETTERS))
    if letters >= 8 and upper > 0.6 * letters:
        out.append("<shout>")
    return out


def piece_markers(whole: str, whole_markers: list[str]) -> frozenset[str]:
    """The markers a piece of ``whole`` (an unescaped text without "&") may have.

    A piece holds "!", "?" or an emoji only if the whole does, and it shouts only if the whole
    holds five ASCII capitals (a piece's first 400 characters hold no more than the whole):
    one look at a chunk spares most tests in each of its sentences.
    """
    flat = whole.encode("ascii", "ignore")
    if len(flat) - len(flat.translate(None, _ASCII_UPPER)) >= 5:
        return frozenset([*whole_markers, "<shout>"])
    return frozenset(whole_markers)


def finding_tokens(findings: list[Finding] | tuple[Finding, ...]) -> list[str]:
    """What the detectors found, as tokens: an obfuscated swear word reads as the plain one."""
    out: list[str] = []
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


# Put between pieces so one normalisation pass serves them all. No pattern of ``_normalised``
# can match across it (each stops at a space), and a text that already holds the word is
# noticed by counting and takes the piece-by-piece path.
_CUT_WORD = "qqcut"
_CUT = f" {_CUT_WORD} "


def piece_words(pieces: list[str]) -> list[list[str]]:
    """The word tokens of each of ``pieces`` (consecutive spans of one text, each cut just after
    whitespace), as ``tokens`` finds them.

    Scoring every sentence of a message used to normalise each sentence on its own; one pass over
    the joined pieces does the same work with the per-call overhead paid once.
    """
    joined = _CUT.join(pieces)
    if "&" in joined:
        joined = html.unescape(joined)
    parts = _normalised(joined).split(_CUT_WORD)
    if len(parts) == len(pieces):
        return [part.split() for part in parts]
    return [  # the text itself spells the separator: no shortcut
        word_tokens(html.unescape(p) if "&" in p else p) for p in pieces
    ]


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
