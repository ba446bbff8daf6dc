"""What every detector returns: a span of the text and the reason it was flagged.

Findings carry offsets, never the matched text, so a finding can be logged, stored or shown to an
administrator without copying a student's message (FERPA). Callers that need the words slice the
text they already hold.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One flagged span: which detector and which of its patterns fired, how sure it is, and why."""

    entity: str
    start: int
    end: int
    score: float
    detector: str
    pattern: str
    explanation: str

    def to_dict(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "detector": self.detector,
            "pattern": self.pattern,
            "explanation": self.explanation,
        }


def overlaps(a: Finding, b: Finding) -> bool:
    return a.start < b.end and b.start < a.end


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep the most confident of overlapping findings, so one digit string is not two entities.

    A nine-digit number can be both a student id and an unformatted SSN; the reader wants the
    better-supported reading, not both. Ties go to the longer span, then the earlier one.
    """
    ranked = sorted(findings, key=lambda f: (-f.score, -(f.end - f.start), f.start))
    starts: list[int] = []  # kept spans never overlap, so sorted starts mean sorted ends
    ends: list[int] = []
    kept: list[Finding] = []
    for f in ranked:
        i = bisect_right(starts, f.start)
        if i and ends[i - 1] > f.start:
            continue  # overlaps the kept span that starts at or before it
        if i < len(starts) and starts[i] < f.end:
            continue  # overlaps the kept span that starts after it
        starts.insert(i, f.start)
        ends.insert(i, f.end)
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.entity))
