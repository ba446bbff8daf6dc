"""The shape every detector has, and the context-word helper most of them share.

Detectors are pure: text and a ScanContext in, findings out. They hold compiled patterns only, so
one instance serves every thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Protocol, TypeVar

from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding

T = TypeVar("T")


class Detector(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def entities(self) -> tuple[str, ...]: ...

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


# Bounds that keep a hostile 10 MB input (a million phone-number look-alikes) to seconds: a
# detector tries at most MAX_CANDIDATES pattern matches per text and reports at most
# MAX_FINDINGS; the Analysis says which detectors stopped early.
MAX_FINDINGS = 1000
MAX_CANDIDATES = 10_000


def capped(matches: Iterable[T]) -> Iterator[T]:
    """At most MAX_CANDIDATES of ``matches``."""
    return islice(matches, MAX_CANDIDATES)


class _Node:
    __slots__ = ("children", "ends")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.ends = False


def trie_regex(words: list[str] | tuple[str, ...]) -> str:
    """A regex alternation of literal ``words`` shaped as a prefix tree.

    CPython's engine tries alternatives one by one; sharing prefixes ("Av", "Ave", "Avenue")
    turns a few hundred comparisons per position into a handful.
    """
    tree = _Node()
    for word in words:
        node = tree
        for ch in word:
            node = node.children.setdefault(ch, _Node())
        node.ends = True

    def render(node: _Node) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.children.items())]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if node.ends else body

    return "(?:" + render(tree) + ")"
