"""US Social Security numbers, with the SSA's rules for numbers that are never issued.

Area 000, 666 and 900-999, group 00 and serial 0000 are never assigned, and a few numbers are
famous from advertising (078-05-1120) or examples (123-45-6789); flagging those would be noise.
An undelimited nine-digit number is only an SSN when the text says so.
"""

from __future__ import annotations

import re

from schoolgate.classify.text.base import MAX_FINDINGS, capped, near, words_regex
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import digit_runs, has_word, preceded_by

_DELIMITED = re.compile(r"(\d{3})([- .])(\d{2})\2(\d{4})(?![\w-]|\.\d)")
_BARE = re.compile(r"(\d{3})(\d{2})(\d{4})(?![\w-]|\.\d)")
_WORDS = frozenset({"ss", "ssn", "social", "soc", "ssa"})
_CONTEXT = words_regex(("ssn", "ss#", "ss #", "social security", "social", "ssa", "soc sec"))
_PUBLICISED = {"078051120", "219099999", "123456789", "457555462"}


def valid_ssn(area: str, group: str, serial: str) -> bool:
    """Whether the SSA could have issued this number."""
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return area + group + serial not in _PUBLICISED


class SsnDetector:
    name = "ssn"
    entities = ("US_SSN",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        runs = digit_runs(text)
        for start, end in capped(runs):
            if len(found) >= MAX_FINDINGS:
                break
            if end - start != 3 or preceded_by(text, start, "-"):
                continue
            m = _DELIMITED.match(text, start)
            if m is None:
                continue
            area, sep, group, serial = m.groups()
            if not valid_ssn(area, group, serial):
                continue
            has_context = near(text, m.start(), m.end(), _CONTEXT, 40, 10)
            if sep == "." and not has_context:
                continue  # 123.45.6789 is more often a version or a price list than an SSN
            score = 0.95 if has_context else 0.8
            pattern = "delimited_context" if has_context else "delimited"
            why = "nine digits grouped 3-2-4 with an area, group and serial the SSA issues"
            found.append(Finding("US_SSN", m.start(), m.end(), score, self.name, pattern, why))
        if not has_word(text, _WORDS):
            return found
        for start, end in capped(runs):
            if len(found) >= MAX_FINDINGS:
                break
            if end - start != 9 or preceded_by(text, start, "-"):
                continue
            m = _BARE.match(text, start)
            if m is None or not valid_ssn(*m.groups()):
                continue
            if near(text, m.start(), m.end(), _CONTEXT, 40, 0):
                why = "nine issuable digits right after 'SSN' or 'social security'"
                found.append(
                    Finding("US_SSN", m.start(), m.end(), 0.85, self.name, "bare_context", why)
                )
        return found
