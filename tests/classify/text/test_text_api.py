"""The API the policy engine calls: labels are calibrated scores, findings carry spans."""

from __future__ import annotations

import time

import pytest

from schoolgate.classify.text import (
    InputTooLarge,
    analyze,
    detect,
    labels,
    make_context,
)
from schoolgate.classify.text.corpus import LABELS
from schoolgate.classify.text.features import chunks


def test_every_documented_label_is_scored() -> None:
    assert labels() == LABELS
    result = analyze("hello")
    assert set(result.labels) == set(LABELS)
    assert all(0.0 <= v <= 1.0 for v in result.labels.values())


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("you stupid fucking idiot", "offensive"),
        ("i'm going to shoot up the school tomorrow, bring a gun", "threat"),
        ("send nudes babe", "sexual"),
        ("i want to kill myself tonight, nobody would care", "self_harm"),
        ("how do you make a pipe bomb at home", "dangerous"),
        ("selling my old airpods for $20 dm me", "solicitation"),
        ("Vote for Maria Lopez for city council on November 5th!", "political"),
        ("URGENT! You have won a £1000 prize. Call 09061701461 to claim now", "spam"),
    ],
)
def test_obvious_examples_score_high_on_their_label(text: str, label: str) -> None:
    assert analyze(text).labels[label] >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Hi Ms. Garcia, Emma will be late today because of a dentist appointment.",
        "The field trip permission slips are due on Friday.",
        "Can you send me the notes from chemistry?",
    ],
)
def test_ordinary_school_mail_scores_low_everywhere(text: str) -> None:
    result = analyze(text)
    assert max(result.labels.values()) < 0.5, result.labels


def test_findings_with_context() -> None:
    ctx = make_context(["Emma Johnson"], {"district": r"S\d{7}"})
    text = "Emma Johnson (S1234567) lives at 12 Oak St, call 415-555-2671, pw: dragon99"
    found = {(text[f.start : f.end], f.entity) for f in detect(text, ctx)}
    assert found == {
        ("Emma Johnson", "STUDENT_FULL_NAME"),
        ("S1234567", "STUDENT_ID"),
        ("12 Oak St", "STREET_ADDRESS"),
        ("415-555-2671", "PHONE_NUMBER"),
        ("dragon99", "PASSWORD"),
    }


def test_overlapping_identifiers_resolve_to_the_better_reading() -> None:
    ctx = make_context(None, {"nine": r"\d{9}"})
    text = "ssn 536221234"
    found = [(text[f.start : f.end], f.entity) for f in detect(text, ctx)]
    assert found == [("536221234", "US_SSN")]


def test_first_last_wins_over_a_comma_list_reading() -> None:
    ctx = make_context(["Heather Johnson", "Heather Atkins"])
    text = "this is Greg Johnson, Heather Atkins's mom"
    assert [text[f.start : f.end] for f in detect(text, ctx)] == ["Heather Atkins"]


def test_a_threat_deep_in_a_long_message_is_not_averaged_away() -> None:
    filler = "The bus schedule changes next week for the winter break. " * 200
    text = filler + " i'm going to shoot up the school tomorrow, bring a gun " + filler
    assert len(chunks(text)) > 2
    assert analyze(text).labels["threat"] >= 0.5


def test_wrong_type_and_oversize_are_clear_errors() -> None:
    with pytest.raises(TypeError, match="str, not bytes"):
        detect(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(InputTooLarge, match="limit"):
        detect("a" * (11 * 1024 * 1024))


def test_ten_megabytes_finishes_in_bounded_time() -> None:
    block = (
        "Hey, call me at 415-555-2671 or write to kid@example.com. "
        "This sh1t is so stupid lol. I live at 12 Oak St. "
    )
    text = (block * (10 * 1024 * 1024 // len(block)))[: 10 * 1024 * 1024]
    started = time.monotonic()
    result = analyze(text)
    elapsed = time.monotonic() - started
    assert result.findings and elapsed < 120, elapsed
    assert "phone" in result.truncated  # 96,000 numbers: the detector says it stopped early
