"""District student ids: the formats the district configures, plus a generic one that needs words.

Every district numbers students differently, so the formats come from the policy pack. Without
any, a short code is only flagged right after "student id", "lunch number" and the like.
"""

from __future__ import annotations

import re

from schoolgate.classify.text.base import MAX_FINDINGS, capped, near, words_regex
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import has_word

_GENERIC = re.compile(
    r"(?:student|pupil|lunch|cafeteria|library|learner)[ \t]*"
    r"(?:id|i\.d\.|identification|number|no\.?|num|#|pin|code|account)s?"
    r"(?:[ \t]*(?:number|no\.?|#))?"
    r"[ \t]*(?:is|was|=|:|-)?[ \t]*#?[ \t]*"
    r"(?P<id>[A-Za-z]{0,3}-?\d{4,10})(?![\w-])",
    re.IGNORECASE,
)


_TRIGGERS = frozenset({"student", "pupil", "lunch", "cafeteria", "library", "learner"})


class StudentIdDetector:
    name = "student_id"
    entities = ("STUDENT_ID",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        for pattern in context.student_id_patterns:
            ctx = words_regex(pattern.context) if pattern.context else None
            for m in capped(pattern.compiled.finditer(text)):
                if len(found) >= MAX_FINDINGS:
                    break
                has_context = ctx is not None and near(text, m.start(), m.end(), ctx, 40, 10)
                if pattern.requires_context and not has_context:
                    continue
                score = 0.95 if has_context else 0.7
                why = f"matches the district's student-id format {pattern.name!r}"
                if has_context:
                    why += " next to a word like 'student id'"
                found.append(
                    Finding("STUDENT_ID", m.start(), m.end(), score, self.name, pattern.name, why)
                )
        if not has_word(text, _TRIGGERS):
            return found
        for m in capped(_GENERIC.finditer(text)):
            if len(found) >= MAX_FINDINGS:
                break
            if any(f.start < m.end("id") and m.start("id") < f.end for f in found):
                continue  # the district's own format already covers it
            found.append(
                Finding(
                    "STUDENT_ID",
                    m.start("id"),
                    m.end("id"),
                    0.85,
                    self.name,
                    "generic_after_label",
                    "a short code right after 'student id', 'lunch number' or similar",
                )
            )
        return found
