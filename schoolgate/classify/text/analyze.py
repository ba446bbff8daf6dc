"""The Python API the policy engine's conditions call: text in, label scores and findings out.

Labels and thresholds are not decided here; a policy pack says "block when threat >= 0.8" and
reads the score from ``Analysis.labels``. Detectors run on the whole text; the model reads it in
chunks of about 4,000 characters and a label's score is its highest chunk score, so a threat in
the tenth paragraph of a long message is not averaged away.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import islice, pairwise

import numpy as np

from schoolgate.classify.text.address import AddressDetector
from schoolgate.classify.text.api_key import ApiKeyDetector
from schoolgate.classify.text.base import MAX_FINDINGS, Detector
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
    # detectors that stopped at MAX_FINDINGS (a hostile or enormous input): there may be more
    truncated: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "labels": {k: round(v, 4) for k, v in self.labels.items()},
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.truncated:
            out["truncated"] = list(self.truncated)
        return out


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
    return _detect(text, context)[0]


def _detect(text: str, context: ScanContext) -> tuple[list[Finding], tuple[str, ...]]:
    if not isinstance(text, str):
        raise TypeError(f"detect() takes str, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise InputTooLarge(f"text of {len(text):,} characters; the limit is {MAX_CHARS:,}")
    exclusive: list[Finding] = []
    other: list[Finding] = []
    truncated: list[str] = []
    for detector in DETECTORS:
        found = detector.detect(text, context)
        if len(found) >= MAX_FINDINGS:
            truncated.append(detector.name)
        for f in found:
            (exclusive if f.entity in EXCLUSIVE else other).append(f)
    merged = resolve_overlaps(exclusive) + other
    return sorted(merged, key=lambda f: (f.start, f.end, f.entity)), tuple(truncated)


# Labels a single sentence can carry on its own: one threatening line makes a long, otherwise
# friendly message a threat. Offensive, hate and spam are judged on whole chunks, as trained.
SENTENCE_LABELS = frozenset(
    {"threat", "sexual", "self_harm", "dangerous", "solicitation", "political"}
)
# Sentence and clause ends: "you idiot, i will kill you tomorrow" holds a threat in its
# second clause, which the insult in the first would otherwise dilute.
_SENTENCE_END = re.compile(r"(?<=[.!?\n,;:])\s+")
_MAX_SENTENCES = 64  # per chunk: bounds the work on a page of one-word lines


def _units(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_sentence) spans to score: every chunk, and the sentences and clauses
    of a chunk that has more than one."""
    units: list[tuple[int, int, bool]] = []
    for start, end in chunks(text):
        units.append((start, end, False))
        cuts = [m.end() for m in islice(_SENTENCE_END.finditer(text, start, end), _MAX_SENTENCES)]
        if not cuts:
            continue
        bounds = [start, *cuts, end]
        for lo, hi in pairwise(bounds):
            if len(text[lo:hi].split()) >= 4:  # "see you friday" alone says too little
                units.append((lo, hi, True))
    return units


def _scores(texts: list[str], all_findings: list[list[Finding]]) -> list[dict[str, float]]:
    """Calibrated probability per label and text: the highest over its chunks and, for
    SENTENCE_LABELS, over its sentences too. One model pass for the whole batch."""
    model = shipped()
    owners: list[int] = []
    is_sentence: list[bool] = []
    token_lists: list[list[str]] = []
    for i, (text, findings) in enumerate(zip(texts, all_findings, strict=True)):
        ordered = sorted(findings, key=lambda f: f.start)
        starts = [f.start for f in ordered]
        for start, end, sentence in _units(text):
            inside = ordered[bisect_left(starts, start) : bisect_left(starts, end)]
            token_lists.append(tokens(text[start:end], inside))
            owners.append(i)
            is_sentence.append(sentence)
    probs = model.probabilities_many(token_lists) if token_lists else np.zeros((0, 0))
    sentence_mask = np.array([label in SENTENCE_LABELS for label in model.labels])
    best = np.zeros((len(texts), len(model.labels)), dtype=np.float64)
    for row, owner, sentence in zip(probs, owners, is_sentence, strict=True):
        candidate = np.where(sentence_mask, row, 0.0) if sentence else row
        best[owner] = np.maximum(best[owner], candidate)
    return [{label: float(p) for label, p in zip(model.labels, row, strict=True)} for row in best]


def label_scores(text: str, findings: list[Finding]) -> dict[str, float]:
    """Calibrated probability per label for one text (see ``_scores``)."""
    return _scores([text], [findings])[0]


def analyze(text: str, context: ScanContext = EMPTY_CONTEXT) -> Analysis:
    """Findings and label scores for one message."""
    findings, truncated = _detect(text, context)
    return Analysis(label_scores(text, findings), tuple(findings), truncated)


def analyze_many(texts: list[str], context: ScanContext = EMPTY_CONTEXT) -> list[Analysis]:
    """``analyze`` for a batch (an archive, a mail queue): same results, one model pass.

    The detectors still read each message; the model scores every chunk of the batch together,
    which is several times cheaper per message than one call each.
    """
    detected = [_detect(text, context) for text in texts]
    scores = _scores(texts, [findings for findings, _ in detected])
    return [
        Analysis(row, tuple(findings), truncated)
        for row, (findings, truncated) in zip(scores, detected, strict=True)
    ]


def labels() -> tuple[str, ...]:
    """The labels the shipped model scores."""
    return shipped().labels
