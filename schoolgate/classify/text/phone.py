"""US phone numbers: a cheap regex finds candidates, the phonenumbers library decides.

phonenumbers' own matcher walks every character in Python; scanning only the digit runs that look
like North American numbers keeps the detector fast on long messages.
"""

from __future__ import annotations

import re

import phonenumbers

from schoolgate.classify.text.base import MAX_FINDINGS, capped, near, words_regex
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import digit_runs, preceded_by

_CANDIDATE = re.compile(
    r"(?:(?:\+|00)?1[\s.-]?)?"
    r"(?:\(\s*\d{3}\s*\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?"
    r"(?![\w/-]|\.\d)",
    re.IGNORECASE,
)
_CONTEXT = words_regex(
    ("phone", "cell", "call", "text", "txt", "mobile", "number", "tel", "reach", "contact", "ph")
)


# A number starts with "1" or "+1", "00", a three-digit area code or ten/eleven bare digits.
_STARTING_RUNS = frozenset({1, 2, 3, 10, 11})


def _candidates(text: str) -> list[re.Match[str]]:
    """Matches of the candidate pattern, tried only where a run of digits starts."""
    out: list[re.Match[str]] = []
    done = 0
    for start, end in capped(digit_runs(text)):
        if start < done or end - start not in _STARTING_RUNS:
            continue
        begin = start - 1 if start and text[start - 1] in "(+" else start
        if preceded_by(text, begin, "+/.-#$"):
            continue
        m = _CANDIDATE.match(text, begin)
        if m is not None:
            out.append(m)
            done = m.end()
    return out


_NOT_PHONE = words_regex(
    (
        "order", "invoice", "tracking", "confirmation", "account", "acct", "ref", "reference",
        "serial", "ticket", "transaction", "case", "isbn", "receipt", "id",
    )
)  # fmt: skip


class PhoneDetector:
    name = "phone"
    entities = ("PHONE_NUMBER",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        for m in _candidates(text):
            if len(found) >= MAX_FINDINGS:
                break
            raw = m.group()
            number = raw[2:] if raw.startswith("00") else raw
            try:
                parsed = phonenumbers.parse(number, "US")
            except phonenumbers.NumberParseException:
                continue
            if parsed.country_code != 1:
                continue
            has_context = near(text, m.start(), m.end(), _CONTEXT, 40, 20)
            if not has_context and near(text, m.start(), m.end(), _NOT_PHONE, 20, 0):
                continue  # "order 2708448362": ten digits that number something else
            if phonenumbers.is_valid_number(parsed):
                score, pattern = (0.95, "us_valid_context") if has_context else (0.8, "us_valid")
                why = "a valid North American number (area code and exchange in service)"
            elif phonenumbers.is_possible_number(parsed) and has_context:
                score, pattern = 0.55, "us_possible_context"
                why = "the shape of a North American number next to a word like 'call' or 'cell'"
            else:
                continue
            found.append(
                Finding("PHONE_NUMBER", m.start(), m.end(), score, self.name, pattern, why)
            )
        return found
