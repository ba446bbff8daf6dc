"""Undoing the tricks people use to slip words past filters: leetspeak, look-alike letters,
accents, zero-width characters, masking stars and dots between letters.

A token maps to a few candidate spellings (``1`` may be ``i`` or ``l``); the lexicon then looks
each up as a whole word, which is what keeps "Scunthorpe" and "assassin" clean.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

# Letters from other scripts that look like Latin ones (Unicode confusables, the common subset).
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ց": "g", "ս": "u", "ո": "n",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "μ": "u",
    # Latin look-alikes that NFKD does not fold
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ß": "ss", "æ": "ae", "œ": "oe",
    "ɑ": "a", "ɡ": "g", "ʀ": "r", "ʏ": "y", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e",
    "ғ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n",
    "ᴏ": "o", "ᴘ": "p", "ǫ": "q", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
}  # fmt: skip
# Digits and symbols used as letters; the first reading is the likelier one.
LEET: dict[str, str] = {
    "0": "o", "1": "il", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
    "9": "g", "@": "a", "$": "s", "!": "il", "|": "li", "+": "t", "€": "e", "£": "l", "¢": "c",
    "©": "c", "®": "r", "¥": "y", "(": "c", "<": "c",
}  # fmt: skip
MASKS = frozenset("*#%")
JOINERS = frozenset(".-_'’~^")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
_EDGE_PUNCT = "\"'“”‘’()[]{}<>.,;:!?¿¡…"
_MAX_VARIANTS = 8

# What makes a token worth the slow path: a look-alike, accented, full-width, styled or invisible
# character; a digit or symbol inside a word; a letter tripled; or letters split by dots.
# Emoji and curly quotes are not tells, so ordinary chat stays on the fast path.
LOOKALIKE_CLASS = (
    "["
    + "".join(sorted(HOMOGLYPHS))
    + "\u00c0-\u024f\u0300-\u036f\u1d00-\u1d7f\u200b-\u200d\u2060\ufeff\u00ad"
    + "\uff01-\uff5e\U0001d400-\U0001d7ff"
    + "]"
)
_TELLS = (
    LOOKALIKE_CLASS
    + r"|[a-z][0-9@$!|*+#_%][a-z0-9*#%]|[0-9@$|][a-z]|([a-z])\1\1|[a-z][.\-~^][a-z][.\-~^]"
)
SUSPICIOUS = re.compile(_TELLS)
# Whole whitespace-delimited tokens (up to 40 chars) that show a tell; bounded, so linear.
SUSPICIOUS_TOKEN = re.compile(r"(?<!\S)(?=\S{0,38}?(?:" + _TELLS + r"))\S{1,40}(?!\S)")


def _fold_char(c: str) -> str:
    """One character to lower-case Latin, through homoglyphs and accent stripping."""
    c = c.lower()
    mapped = HOMOGLYPHS.get(c)
    if mapped is not None:
        return mapped
    if c.isascii():
        return c
    decomposed = unicodedata.normalize("NFKD", c)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return HOMOGLYPHS.get(base, base)


_REJECT = "\x00"
_ASCII_TABLE = str.maketrans(
    {
        **{chr(c): _REJECT for c in range(128) if not chr(c).isalpha()},
        **{k: v[0] for k, v in LEET.items() if len(k) == 1 and k.isascii()},
        **dict.fromkeys(MASKS, "*"),
        **dict.fromkeys((j for j in JOINERS if j.isascii()), None),
    }
)
_AMBIGUOUS = re.compile(r"[1!|]")


def _ascii_candidates(core: str) -> tuple[list[str], set[str]]:
    """The common case without a per-character loop: one translate call."""
    mapped = core.lower().translate(_ASCII_TABLE)
    if _REJECT in mapped or not mapped:
        return [], set()
    how: set[str] = set()
    if any(c in LEET for c in core):
        how.add("leetspeak")
    if "*" in mapped:
        how.add("masking")
    if len(mapped) < len(core):
        how.add("punctuation between letters")
    if not _AMBIGUOUS.search(core):
        return [mapped], how
    slots = [LEET[c] if c in "1!|" else m for c, m in zip(core, _leet_aligned(core), strict=True)]
    slots = [s for s in slots if s]
    return ["".join(p) for p in product(*slots)][:_MAX_VARIANTS], how


def _leet_aligned(core: str) -> list[str]:
    return [c.lower().translate(_ASCII_TABLE) for c in core]


@lru_cache(maxsize=8192)
def candidates(token: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Cached: the same odd tokens ("@user", "2nd", "f*ck") recur across messages."""
    spellings, how = _candidates(token)
    return tuple(spellings), frozenset(how)


def _candidates(token: str) -> tuple[list[str], set[str]]:
    """The plausible plain spellings of ``token`` and which tricks were undone.

    Returns no candidates when the token holds characters that are not letters, leet or joiners
    (a URL, an equation), because guessing there finds words that are not there.
    """
    if token.isascii():
        return _ascii_candidates(token.strip(_EDGE_PUNCT) or token)
    how: set[str] = set()
    folded = unicodedata.normalize("NFKC", token)
    if folded != token:
        how.add("look-alike letters")
    core = folded.strip(_EDGE_PUNCT) or folded
    slots: list[str] = []
    for raw in core:
        if raw in INVISIBLE:
            how.add("invisible characters")
            continue
        c = _fold_char(raw)
        if c != raw.lower():
            how.add("look-alike letters")
        if len(c) == 1 and c.isascii() and c.isalpha():
            slots.append(c)
        elif len(c) > 1 and c.isascii() and c.isalpha():
            slots.extend(c)
        elif c in LEET:
            slots.append(LEET[c])
            how.add("leetspeak")
        elif c in MASKS:
            slots.append("*")
            how.add("masking")
        elif c in JOINERS:
            how.add("punctuation between letters")
        else:
            return [], how
    if not slots:
        return [], how
    ambiguous = [s for s in slots if len(s) > 1]
    if len(ambiguous) > 3:
        slots = [s[0] for s in slots]
    variants = ["".join(p) for p in product(*slots)][:_MAX_VARIANTS]
    return variants, how


def collapse(word: str) -> tuple[str, tuple[int, ...]]:
    """``"fuuuuck"`` -> ``("fuck", (1, 4, 1, 1))``: letters with their run lengths."""
    letters: list[str] = []
    runs: list[int] = []
    for c in word:
        if letters and letters[-1] == c:
            runs[-1] += 1
        else:
            letters.append(c)
            runs.append(1)
    return "".join(letters), tuple(runs)
