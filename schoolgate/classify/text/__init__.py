"""Reading what people send and publish: personal information, credentials, profanity and the
trained labels (offensive, hate, threat, sexual, self_harm, dangerous, solicitation, political,
spam).

    from schoolgate.classify.text import analyze, make_context
    result = analyze("call me at 415-555-0100", make_context(roster=["Emma Johnson"]))
    result.labels["offensive"], result.findings

See docs/text-classification.md for every label and entity, and how the model was trained.
"""

from __future__ import annotations

from schoolgate.classify.text.analyze import (
    Analysis,
    analyze,
    analyze_many,
    detect,
    labels,
    make_context,
)
from schoolgate.classify.text.context import Roster, ScanContext, StudentIdPattern
from schoolgate.classify.text.errors import (
    BinaryInput,
    ContextError,
    InputTooLarge,
    ModelError,
    TextScanError,
)
from schoolgate.classify.text.finding import Finding

__all__ = [
    "Analysis",
    "BinaryInput",
    "ContextError",
    "Finding",
    "InputTooLarge",
    "ModelError",
    "Roster",
    "ScanContext",
    "StudentIdPattern",
    "TextScanError",
    "analyze",
    "analyze_many",
    "detect",
    "labels",
    "make_context",
]
