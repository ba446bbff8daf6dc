"""Whole-word lexicon matching that sees through obfuscation without the Scunthorpe problem.

Words match only as whole tokens (or listed compounds and inflections), so "Scunthorpe",
"assassin", "cocktail" and "Sussex" never match "cunt", "ass", "cock" or "sex". Obfuscated tokens
("f*ck", "sh1t", "fuuuuck", "ſhit", "f.u.c.k", "f u c k") are turned back into candidate
spellings first. Plain text takes a fast path: one regex and a set intersection, in C.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from schoolgate.classify.text.obfuscation import SUSPICIOUS, candidates, collapse

_SUFFIXES: dict[str, tuple[str, ...]] = {
    "s": ("s",),
    "e": ("es",),
    "v": ("s", "ed", "er", "ers", "ing", "in"),
    "d": ("ed",),
    "r": ("er", "ers"),
    "g": ("ing", "in"),
    "y": ("y",),
}
_WORD = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"(?<!\S)\S{1,40}(?!\S)")
# Single characters separated by spaces or dots: "f u c k", "f. u. c. k", "s-h-i-t".
_SPACED = re.compile(r"(?<!\S)(?:\S[ .\-_*,]{1,2}){2,63}\S(?!\S)")


@dataclass(frozen=True, slots=True)
class Entry:
    word: str
    severity: str
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    entry: Entry
    how: str  # "plain", or the tricks undone: "leetspeak", "masking", ...


class Lexicon:
    """An index of a word list's spellings: exact forms, run-collapsed forms and masked forms."""

    def __init__(self, name: str, entries: dict[str, list[str]], exceptions: list[str]) -> None:
        self.name = name
        self.exact: dict[str, Entry] = {}
        self.collapsed: dict[str, list[tuple[tuple[int, ...], Entry]]] = {}
        self.masked: dict[str, Entry] = {}
        self.phrases: dict[tuple[str, str], Entry] = {}
        for severity, words in entries.items():
            for spec in words:
                self._add(spec, severity)
        self.phrase_firsts = frozenset(first for first, _ in self.phrases)
        self.trigger = frozenset(self.exact) | self.phrase_firsts
        alts = "|".join(re.escape(e) for e in sorted(exceptions, key=len, reverse=True))
        self.exceptions = re.compile(rf"(?<![a-z])(?:{alts})(?![a-z])") if alts else None

    def _add(self, spec: str, severity: str) -> None:
        word, _, codes = spec.partition("/")
        ambiguous = word.endswith("?") or codes.endswith("?")
        word = word.rstrip("?")
        codes = codes.rstrip("?")
        entry = Entry(word, severity, ambiguous)
        forms = [word] + [word + suf for code in codes for suf in _SUFFIXES[code]]
        for form in forms:
            parts = form.split()
            if len(parts) == 2:
                self.phrases.setdefault((parts[0], parts[1]), entry)
                form = "".join(parts)  # "blow job" also as "blowjob"
            elif len(parts) > 2:
                continue
            self.exact.setdefault(form, entry)
            letters, runs = collapse(form)
            self.collapsed.setdefault(letters, []).append((runs, entry))
            if entry.severity in ("slur", "strong", "explicit") and 4 <= len(form) <= 10:
                for masked in _masked_forms(form):
                    self.masked.setdefault(masked, entry)

    def lookup(self, spelling: str) -> Entry | None:
        """The entry a plain spelling stands for, allowing stretched letters ("fuuuck")."""
        entry = self.exact.get(spelling)
        if entry is not None:
            return entry
        if "*" in spelling:
            return self.masked.get(spelling)
        letters, runs = collapse(spelling)
        for want, candidate in self.collapsed.get(letters, ()):
            if all(have >= need for have, need in zip(runs, want, strict=True)):
                return candidate
        return None

    def find(self, text: str) -> list[Hit]:
        lower = text.lower() if text.isascii() else _lower_keep_offsets(text)
        hits: dict[tuple[int, int], Hit] = {}
        if not self.trigger.isdisjoint(_WORD.findall(lower)):
            self._plain(lower, hits)
        if SUSPICIOUS.search(lower):
            self._obfuscated(lower, hits)
        self._spaced(lower, hits)
        if self.exceptions is not None and hits:
            for m in self.exceptions.finditer(lower):
                for key in [k for k in hits if m.start() <= k[0] and k[1] <= m.end()]:
                    del hits[key]
        return sorted(hits.values(), key=lambda h: h.start)

    def _plain(self, lower: str, hits: dict[tuple[int, int], Hit]) -> None:
        prev: re.Match[str] | None = None
        for m in _WORD.finditer(lower):
            word = m.group()
            entry = self.exact.get(word)
            if entry is not None and _is_whole(lower, m.start(), m.end()):
                hits[(m.start(), m.end())] = Hit(m.start(), m.end(), entry, "plain")
            if prev is not None and prev.group() in self.phrase_firsts:
                phrase = self.phrases.get((prev.group(), word))
                if phrase is not None and lower[prev.end() : m.start()].isspace():
                    for key in [k for k in hits if prev.start() <= k[0] and k[1] <= m.end()]:
                        del hits[key]
                    hits[(prev.start(), m.end())] = Hit(prev.start(), m.end(), phrase, "plain")
            prev = m

    def _obfuscated(self, lower: str, hits: dict[tuple[int, int], Hit]) -> None:
        for m in _TOKEN.finditer(lower):
            token = m.group()
            if token.isalpha() and token.isascii() and not SUSPICIOUS.search(token):
                continue
            spellings, how = candidates(token)
            for spelling in spellings:
                entry = self.lookup(spelling)
                if entry is None:
                    continue
                if "*" not in spelling and spelling not in self.exact:
                    how.add("repeated letters")
                start, end = _core_span(token, m.start())
                if not any(s <= start and end <= e for s, e in hits):
                    hits[(start, end)] = Hit(start, end, entry, ", ".join(sorted(how)) or "plain")
                break

    def _spaced(self, lower: str, hits: dict[tuple[int, int], Hit]) -> None:
        for m in _SPACED.finditer(lower):
            positions = [
                m.start() + i for i, c in enumerate(m.group()) if c not in " .-_*,"
            ]
            letters: list[str] = []
            for pos in positions:
                spellings, _ = candidates(lower[pos])
                letters.append(spellings[0] if spellings else "?")
            joined = "".join(letters)
            found = self._spaced_word(joined)
            if found is None:
                continue
            i, j, entry = found
            start, end = positions[i], positions[j - 1] + 1
            if not any(s <= start and end <= e for s, e in hits):
                hits[(start, end)] = Hit(start, end, entry, "spaced-out letters")

    def _spaced_word(self, joined: str) -> tuple[int, int, Entry] | None:
        """The whole run as a word, else the longest strong word inside it ("a f u c k")."""
        entry = self.lookup(joined)
        if entry is not None:
            return 0, len(joined), entry
        for length in range(min(len(joined), 14), 3, -1):
            for i in range(len(joined) - length + 1):
                entry = self.lookup(joined[i : i + length])
                if entry is not None and not entry.ambiguous and entry.severity != "mild":
                    return i, i + length, entry
        return None


def _masked_forms(word: str) -> list[str]:
    """``fuck`` -> ``f*ck``, ``fu*k``, ``f**k``: interior letters starred, two letters kept."""
    out: list[str] = []
    n = len(word)
    for i in range(1, n - 1):
        for j in range(i + 1, n):
            if n - (j - i) >= 2:
                out.append(word[:i] + "*" * (j - i) + word[j:])
    return out


def _is_whole(lower: str, start: int, end: int) -> bool:
    """A plain hit must not be glued to digits or other letters ("ass1gnment", "sexé")."""
    before = lower[start - 1] if start else " "
    after = lower[end] if end < len(lower) else " "
    return not (before.isalnum() or after.isalnum())


def _core_span(token: str, offset: int) -> tuple[int, int]:
    stripped_left = len(token) - len(token.lstrip("\"'“”‘’()[]{}<>.,;:?¿¡…"))
    stripped_right = len(token) - len(token.rstrip("\"'“”‘’()[]{}<>.,;:!?¿¡…"))
    return offset + stripped_left, offset + len(token) - stripped_right


def _lower_keep_offsets(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@cache
def load(name: str) -> Lexicon:
    """A lexicon shipped in ``schoolgate/classify/text/lexicons/<name>.json``."""
    raw = resources.files("schoolgate.classify.text").joinpath(f"lexicons/{name}.json")
    data = json.loads(raw.read_text(encoding="utf-8"))
    return Lexicon(name, data["entries"], data.get("exceptions", []))
