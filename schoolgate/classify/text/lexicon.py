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
from functools import cache, lru_cache
from importlib import resources
from itertools import islice

from schoolgate.classify.text.base import MAX_CANDIDATES, MAX_FINDINGS, capped
from schoolgate.classify.text.obfuscation import LOOKALIKE_CLASS, candidates, collapse
from schoolgate.classify.text.textfacts import ascii_words, lowered

_SUFFIXES: dict[str, tuple[str, ...]] = {
    "s": ("s",),
    "e": ("es",),
    "v": ("s", "ed", "er", "ers", "ing", "in"),
    "d": ("ed",),
    "r": ("er", "ers"),
    "g": ("ing", "in"),
    "y": ("y",),
}
# The tells, each pattern starting with a character class so that CPython's engine skips to
# candidates in C (an alternation of them is tried branch by branch at every position): a
# symbol inside a word ("sh!t", "f*ck"), "@" or "$" starting one ("@ss", "$hit"; not "@user"
# or "$50"), a digit touching a letter ("sh1t"), letters split by dots, a look-alike letter
# (only searched for in text that is not ASCII).
# Each tell comes with the characters it starts with: a text holding none of them skips the
# pattern after a few C-level substring tests, which cost far less than a regex pass over it.
_TELLS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(
            r"[@$!|*+#_%](?:(?<=[a-z].)(?=[a-z0-9*#%$@])"
            r"|(?<=@)(?<!\S@)(?=[sr$5n])"
            r"|(?<=\$)(?<!\S\$)(?=[a-z]))"
        ),
        tuple("@$!|*+#_%"),
    ),
    (re.compile(r"[0-9](?:(?<=[a-z][0-9])|(?=[a-z]))"), tuple("0123456789")),
    (re.compile(r"[.\-~^](?=[a-z][.\-~^])"), tuple(".-~^")),
)
_LOOKALIKE = re.compile(LOOKALIKE_CLASS)
_EXCEPTION_REACH = 24  # longest exception phrase around a hit
_TELL_TRIPLE = re.compile(r"([a-z])\1\1")
_DOUBLE = re.compile(r"(.)\1", re.DOTALL)
_WHITESPACE_TO_SPACE = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b"         ")
# Starts with a literal space, which CPython's engine scans for quickly; the text's first
# character is checked with a separate match.
_SPACED_HINT = re.compile(r" \S[ .,_*-]{1,2}\S[ .,_*-]{1,2}\S(?: |$)")
_SPACED_AT_START = re.compile(r"\S[ .,_*-]{1,2}\S[ .,_*-]{1,2}\S(?: |$)")
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
        self._memo: dict[str, Entry | None] = {}
        self.exact_words = frozenset(self.exact)
        self.trigger = self.exact_words | self.phrase_firsts
        alts = "|".join(re.escape(e) for e in sorted(exceptions, key=len, reverse=True))
        self.exceptions = re.compile(rf"(?<![a-z])(?:{alts})(?![a-z])") if alts else None
        # A hit can only lie inside an exception if its text is part of one: one substring test
        # spares the pattern search around most hits ("fuck" is in no innocent phrase).
        self.exception_text = "\n".join(exceptions)

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
        if spelling in self._memo:
            return self._memo[spelling]
        entry = self._lookup(spelling)
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[spelling] = entry
        return entry

    def _lookup(self, spelling: str) -> Entry | None:
        entry = self.exact.get(spelling)
        if entry is not None:
            return entry
        if "*" in spelling:
            return self.masked.get(spelling)
        if _DOUBLE.search(spelling) is None:
            # Without a repeated letter the spelling is its own collapsed form, so a collapsed
            # entry could only be a listed form without repeats: an exact miss is a miss.
            return None
        letters, runs = collapse(spelling)
        for want, candidate in self.collapsed.get(letters, ()):
            if all(have >= need for have, need in zip(runs, want, strict=True)):
                return candidate
        return None

    def find(self, text: str) -> list[Hit]:
        lower = lowered(text)
        hits: dict[tuple[int, int], Hit] = {}
        words = ascii_words(text)
        if not self.trigger.isdisjoint(words):
            self._plain(lower, words, hits)
        self._obfuscated(lower, hits)
        self._spaced(lower, hits)
        if self.exceptions is not None and hits:
            for key in list(hits):
                if lower[key[0] : key[1]] not in self.exception_text:
                    continue
                lo, hi = max(0, key[0] - _EXCEPTION_REACH), key[1] + _EXCEPTION_REACH
                for m in self.exceptions.finditer(lower, lo, hi):
                    if m.start() <= key[0] and key[1] <= m.end():
                        del hits[key]  # "cum laude", "Moby Dick": a listed innocent phrase
                        break
        return sorted(hits.values(), key=lambda h: h.start)

    def _plain(self, lower: str, words: frozenset[str], hits: dict[tuple[int, int], Hit]) -> None:
        """Whole-word occurrences of the listed words present, found with str.find."""
        for word in words & self.exact_words:
            entry = self.exact[word]
            at = lower.find(word)
            while at != -1 and len(hits) < MAX_FINDINGS:
                end = at + len(word)
                if _is_whole(lower, at, end):
                    hits[(at, end)] = Hit(at, end, entry, "plain")
                at = lower.find(word, end)
        for (first, second), entry in self.phrases.items():
            if first not in words or second not in words:
                continue
            phrase = rf"(?<![a-z]){re.escape(first)}\s+{re.escape(second)}(?![a-z])"
            for m in islice(re.finditer(phrase, lower), MAX_FINDINGS):
                for key in [k for k in hits if m.start() <= k[0] and k[1] <= m.end()]:
                    del hits[key]
                hits[m.span()] = Hit(m.start(), m.end(), entry, "plain")

    def _obfuscated(self, lower: str, hits: dict[tuple[int, int], Hit]) -> None:
        for token_start, token in suspicious_tokens(lower):
            if len(hits) >= MAX_FINDINGS:
                break
            spellings, tricks = candidates(token)
            for spelling in spellings:
                entry = self.lookup(spelling)
                if entry is None:
                    continue
                how = set(tricks)
                if "*" not in spelling and spelling not in self.exact:
                    how.add("repeated letters")
                start, end = _core_span(token, token_start)
                if not any(s <= start and end <= e for s, e in hits):
                    hits[(start, end)] = Hit(start, end, entry, ", ".join(sorted(how)) or "plain")
                break

    def _spaced(self, lower: str, hits: dict[tuple[int, int], Hit]) -> None:
        for positions in spaced_runs(lower):
            if len(hits) >= MAX_FINDINGS:
                break
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


def _present_tells(lower: str) -> list[re.Pattern[str]]:
    """The tell patterns that can match in ``lower``: those whose first character occurs."""
    tells = [tell for tell, firsts in _TELLS if any(map(lower.__contains__, firsts))]
    if not lower.isascii():
        tells.append(_LOOKALIKE)
    return tells


@lru_cache(maxsize=2)
def suspicious_tokens(lower: str) -> tuple[tuple[int, str], ...]:
    """(offset, token) of the tokens that need the slow path; shared by every lexicon.

    Finds the tells with simple one-class patterns (fast in CPython's regex engine), then grows
    each to its whitespace-delimited token, at most 40 characters.
    """
    marks: list[int] = []
    for tell in _present_tells(lower):
        marks += map(re.Match.start, capped(tell.finditer(lower)))
    # Each pattern gives at most MAX_CANDIDATES; the first MAX_CANDIDATES of their union are
    # the first MAX_CANDIDATES positions where any tell stands, as one alternation gave.
    marks = sorted(set(marks))[:MAX_CANDIDATES]
    marks += map(re.Match.start, capped(_TELL_TRIPLE.finditer(lower)))
    if not marks:
        return ()
    # One byte per character, every kind of whitespace a plain space: find/rfind do the walking.
    flat = lower.encode("ascii", "replace").translate(_WHITESPACE_TO_SPACE)
    tokens: dict[int, str] = {}
    for mark in sorted(set(marks)):
        start = flat.rfind(b" ", max(0, mark - 41), mark) + 1
        if start in tokens or (start == 0 and mark > 40):
            continue
        end = flat.find(b" ", mark, mark + 41)
        end = len(flat) if end == -1 and len(flat) - start <= 40 else end
        if end != -1 and end - start <= 40:
            tokens[start] = lower[start:end]
    return tuple(sorted(tokens.items()))


@lru_cache(maxsize=2)
def spaced_runs(lower: str) -> tuple[tuple[int, ...], ...]:
    """Offsets of the letters of each spaced-out run ("f u c k")."""
    if not (_SPACED_HINT.search(lower) or _SPACED_AT_START.match(lower)):
        return ()
    return tuple(
        tuple(m.start() + i for i, c in enumerate(m.group()) if c not in " .-_*,")
        for m in capped(_SPACED.finditer(lower))
    )


@cache
def load(name: str) -> Lexicon:
    """A lexicon shipped in ``schoolgate/classify/text/lexicons/<name>.json``."""
    raw = resources.files("schoolgate.classify.text").joinpath(f"lexicons/{name}.json")
    data = json.loads(raw.read_text(encoding="utf-8"))
    return Lexicon(name, data["entries"], data.get("exceptions", []))
