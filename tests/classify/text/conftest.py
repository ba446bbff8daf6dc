"""Shared fixture: run one detector and get back the matched substrings, checking its findings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from schoolgate.classify.text.base import Detector
from schoolgate.classify.text.context import EMPTY_CONTEXT, ScanContext

Spans = Callable[..., list[str]]


def _spans(detector: Detector, text: str, context: ScanContext = EMPTY_CONTEXT) -> list[str]:
    found = detector.detect(text, context)
    for f in found:
        assert 0 <= f.start < f.end <= len(text), f
        assert 0.0 < f.score <= 1.0, f
        assert f.detector == detector.name and f.explanation and f.pattern
        assert f.entity in detector.entities
    return [text[f.start : f.end] for f in sorted(found, key=lambda f: f.start)]


@pytest.fixture
def spans() -> Spans:
    return _spans
