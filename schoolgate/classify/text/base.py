"""The shape every detector has, and the context-word helper most of them share.

Detectors are pure: text and a ScanContext in, findings out. They hold compiled patterns only, so
one instance serves every thread.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding


class Detector(Protocol):
    name: str
    entities: tuple[str, ...]

    def detect(self, text: str, context: ScanContext) -> list[Finding]: ...


@lru_cache(maxsize=256)
def words_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive pattern for context words, longest first, on word edges."""
    alts = sorted({re.escape(w).replace(r"\ ", r"[\s_-]*") for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])", re.IGNORECASE)


def near(text: str, start: int, end: int, words: re.Pattern[str], before: int, after: int) -> bool:
    """Whether a context word occurs within ``before`` chars before or ``after`` chars after."""
    lo = max(0, start - before)
    if words.search(text, lo, start):
        return True
    return after > 0 and words.search(text, end, min(len(text), end + after)) is not None
