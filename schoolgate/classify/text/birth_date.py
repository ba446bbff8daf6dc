"""Dates of birth: a calendar date that the text itself calls a birthday.

Dates alone are everywhere in school mail (due dates, field trips), so a date is only personal
information when a birth word ("born", "DOB", "birthday", "b-day") is right before it, or
"birthday" right after. A birthday without a year still narrows down a child, at a lower score.
"""

from __future__ import annotations

import re

from schoolgate.classify.text.base import MAX_FINDINGS, capped, near, words_regex
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import contains_any, has_digit, has_word, preceded_by

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    r"(?:"
    r"(?P<m1>0?[1-9]|1[0-2])(?P<s1>[/.-])(?P<d1>0?[1-9]|[12]\d|3[01])(?P=s1)(?P<y1>(?:19|20)?\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>0[1-9]|1[0-2])-(?P<d2>0[1-9]|[12]\d|3[01])"
    rf"|{_MONTH}[ \t]+{_DAY}(?P<y3>,?[ \t]+{_YEAR})?"
    rf"|{_DAY}[ \t]+(?:of[ \t]+)?{_MONTH}(?P<y4>,?[ \t]+{_YEAR})?"
    r")(?![\w/-])",
    re.IGNORECASE,
)
_BEFORE = words_regex(
    (
        "born", "born on", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday",
        "bday", "b-day", "birth day", "bornday",
    )
)  # fmt: skip
_AFTER = words_regex(("birthday", "bday", "b-day"))
_TRIGGER_WORDS = frozenset(
    {"born", "dob", "birth", "birthday", "birthdays", "birthdate", "bday", "bornday"}
)


class BirthDateDetector:
    name = "birth_date"
    entities = ("DATE_OF_BIRTH",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        if not has_digit(text) or not (
            has_word(text, _TRIGGER_WORDS) or contains_any(text, ("d.o.b", "b-day"))
        ):
            return []
        found: list[Finding] = []
        for m in capped(_DATE.finditer(text)):
            if len(found) >= MAX_FINDINGS:
                break
            if preceded_by(text, m.start(), "/.-"):
                continue
            if not (
                near(text, m.start(), m.end(), _BEFORE, 35, 0)
                or near(text, m.start(), m.end(), _AFTER, 0, 12)
            ):
                continue
            has_year = any(m.group(g) for g in ("y1", "y2", "y3", "y4"))
            if has_year:
                score, pattern = 0.9, "date_with_birth_word"
                why = "a full date next to 'born', 'DOB' or 'birthday'"
            else:
                score, pattern = 0.6, "day_month_birthday"
                why = "a day and month next to 'birthday' (no year)"
            found.append(
                Finding("DATE_OF_BIRTH", m.start(), m.end(), score, self.name, pattern, why)
            )
        return found
