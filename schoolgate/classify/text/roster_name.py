"""Full names of rostered students, where policy allows only "first name and last initial".

Names come from the district roster in the ScanContext, never from a guess: a model that calls
every capitalised pair a person flags "Emma J." and "Lincoln Park" alike. "Emma Johnson",
"emma johnson" and "Johnson, Emma" are findings; "Emma J." is the allowed form and is not.
"""

from __future__ import annotations

import re

from schoolgate.classify.text.base import MAX_FINDINGS
from schoolgate.classify.text.context import Roster, ScanContext
from schoolgate.classify.text.features import chunks
from schoolgate.classify.text.finding import Finding

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_GAP = re.compile(r"[ \t]+(?:[^\W\d_]\.?[ \t]+)?")  # one space run, or a middle initial
_COMMA_GAP = re.compile(r"[ \t]*,[ \t]*")
_SPACES = re.compile(r"[ \t]+")
_POSSESSIVE = re.compile(r"['’]s$")
_WINDOW = 100_000


class RosterNameDetector:
    name = "roster_name"
    entities = ("STUDENT_FULL_NAME",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        roster = context.roster
        if roster is None or not roster.full_names:
            return []
        found: list[Finding] = []
        for start, end in chunks(text, _WINDOW):  # bounds the list of words held at once
            found.extend(self._detect_window(text, start, end, roster))
            if len(found) >= MAX_FINDINGS:
                break
        return found[:MAX_FINDINGS]

    def _detect_window(self, text: str, lo: int, hi: int, roster: Roster) -> list[Finding]:
        """Findings in ``text[lo:hi]``, with offsets into ``text``."""
        window = text[lo:hi]
        lowered = window.casefold()
        if len(lowered) != len(window):  # casefold changed lengths ("ß"): keep offsets honest
            lowered = window.lower() if len(window.lower()) == len(window) else window
        words = list(_WORD.finditer(lowered))
        if not roster.first_names.intersection(w.group() for w in words):
            return []
        found: list[Finding] = []
        for i, w in enumerate(words):
            token = w.group()
            if token in roster.first_names:
                hit = self._last_after(lowered, words, i, roster.full_names, roster.max_last_words)
                if hit is not None:
                    found.append(self._finding(window, lo, w.start(), hit, "first_last"))
                    continue
            hit_start = self._first_after_comma(lowered, words, i, roster)
            if hit_start is not None:
                found.append(self._finding(window, lo, w.start(), hit_start, "last_comma_first"))
        return found

    @staticmethod
    def _last_after(
        text: str,
        words: list[re.Match[str]],
        i: int,
        names: frozenset[tuple[str, str]],
        max_words: int,
    ) -> int | None:
        first = words[i].group()
        j = i + 1
        if j >= len(words) or not _GAP.fullmatch(text, words[i].end(), words[j].start()):
            return None
        if words[j].end() - words[j].start() == 1 and j + 1 < len(words):
            j += 1  # skip a middle initial
        parts: list[str] = []
        for k in range(j, min(len(words), j + max_words)):
            if k > j and not _SPACES.fullmatch(text, words[k - 1].end(), words[k].start()):
                break
            word = words[k].group()
            parts.append(word)
            if (first, " ".join(parts)) in names:
                return words[k].end()
            bare = _POSSESSIVE.sub("", word)  # "Leon's" -> "Leon"
            if bare != word and (first, " ".join([*parts[:-1], bare])) in names:
                return words[k].start() + len(bare)
        return None

    @staticmethod
    def _first_after_comma(
        text: str, words: list[re.Match[str]], i: int, roster: Roster
    ) -> int | None:
        for n in range(1, roster.max_last_words + 1):
            k = i + n  # words[i:k] is the last name, words[k] the first
            if k >= len(words):
                return None
            if not _COMMA_GAP.fullmatch(text, words[k - 1].end(), words[k].start()):
                continue
            last = " ".join(w.group() for w in words[i:k])
            if (words[k].group(), last) in roster.full_names:
                return words[k].end()
        return None

    def _finding(self, window: str, lo: int, start: int, end: int, pattern: str) -> Finding:
        capitalised = window[start : start + 1].isupper()
        # "Last, First" is also how lists are written ("Johnson, Heather Atkins's mom"), so it
        # yields to a "First Last" reading of the same words.
        score = (0.95 if capitalised else 0.85) - (0.05 if pattern == "last_comma_first" else 0.0)
        return Finding(
            "STUDENT_FULL_NAME",
            lo + start,
            lo + end,
            score,
            self.name,
            pattern,
            "a rostered student's full name; the allowed form is first name and last initial",
        )
