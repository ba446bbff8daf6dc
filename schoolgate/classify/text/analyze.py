"""The Python API the policy engine's conditions call: text in, label scores and findings out.

Labels and thresholds are not decided here; a policy pack says "block when threat >= 0.8" and
reads the score from ``Analysis.labels``. Detectors run on the whole text; the model reads it in
chunks of about 4,000 characters and a label's score is its highest chunk score, so a threat in
the tenth paragraph of a long message is not averaged away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schoolgate.classify.text.address import AddressDetector
from schoolgate.classify.text.api_key import ApiKeyDetector
from schoolgate.classify.text.base import Detector
from schoolgate.classify.text.birth_date import BirthDateDetector
from schoolgate.classify.text.context import EMPTY_CONTEXT, Roster, ScanContext, StudentIdPattern
from schoolgate.classify.text.email_address import EmailDetector
from schoolgate.classify.text.errors import InputTooLarge
from schoolgate.classify.text.features import chunks, tokens
from schoolgate.classify.text.finding import Finding, resolve_overlaps
from schoolgate.classify.text.model import shipped
from schoolgate.classify.text.password import PasswordDetector
from schoolgate.classify.text.phone import PhoneDetector
from schoolgate.classify.text.profanity import ProfanityDetector
from schoolgate.classify.text.roster_name import RosterNameDetector
from schoolgate.classify.text.sexual_terms import SexualTermsDetector
from schoolgate.classify.text.ssn import SsnDetector
from schoolgate.classify.text.student_id import StudentIdDetector

MAX_CHARS = 10 * 1024 * 1024 + 1024

DETECTORS: tuple[Detector, ...] = (
    PhoneDetector(),
    EmailDetector(),
    AddressDetector(),
    SsnDetector(),
    BirthDateDetector(),
    StudentIdDetector(),
    RosterNameDetector(),
    PasswordDetector(),
    ApiKeyDetector(),
    ProfanityDetector(),
    SexualTermsDetector(),
)
# Entities that name one thing in the text; overlaps among them are resolved to the best reading.
EXCLUSIVE = frozenset(
    {
        "PHONE_NUMBER", "EMAIL_ADDRESS", "STREET_ADDRESS", "US_SSN", "DATE_OF_BIRTH",
        "STUDENT_ID", "STUDENT_FULL_NAME", "PASSWORD", "API_KEY",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Analysis:
    labels: dict[str, float]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "labels": {k: round(v, 4) for k, v in self.labels.items()},
            "findings": [f.to_dict() for f in self.findings],
        }


def make_context(
    roster: list[str] | tuple[str, ...] | None = None,
    student_id_patterns: dict[str, str] | None = None,
    *,
    student_id_requires_context: bool = False,
) -> ScanContext:
    """A ScanContext from plain values: roster names and {name: regex} student-id formats."""
    patterns = tuple(
        StudentIdPattern(name, regex, requires_context=student_id_requires_context)
        for name, regex in (student_id_patterns or {}).items()
    )
    return ScanContext(Roster.from_names(list(roster)) if roster else None, patterns)


def detect(text: str, context: ScanContext = EMPTY_CONTEXT) -> list[Finding]:
    """Every detector's findings, overlapping identifiers resolved, in text order."""
    if not isinstance(text, str):
        raise TypeError(f"detect() takes str, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise InputTooLarge(f"text of {len(text):,} characters; the limit is {MAX_CHARS:,}")
    exclusive: list[Finding] = []
    other: list[Finding] = []
    for detector in DETECTORS:
        for f in detector.detect(text, context):
            (exclusive if f.entity in EXCLUSIVE else other).append(f)
    return sorted(resolve_overlaps(exclusive) + other, key=lambda f: (f.start, f.end, f.entity))


def label_scores(text: str, findings: list[Finding]) -> dict[str, float]:
    """Calibrated probability per label: the highest over the text's chunks."""
    model = shipped()
    best = np.zeros(len(model.labels), dtype=np.float64)
    for start, end in chunks(text):
        inside = [f for f in findings if start <= f.start < end]
        best = np.maximum(best, model.probabilities(tokens(text[start:end], inside)))
    return {label: float(p) for label, p in zip(model.labels, best, strict=True)}


def analyze(text: str, context: ScanContext = EMPTY_CONTEXT) -> Analysis:
    """Findings and label scores for one message."""
    findings = detect(text, context)
    return Analysis(label_scores(text, findings), tuple(findings))


def labels() -> tuple[str, ...]:
    """The labels the shipped model scores."""
    return shipped().labels
