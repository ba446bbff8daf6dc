"""Profanity and sexual lexicons: obfuscations are seen through, Scunthorpe words are not hit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from schoolgate.classify.text.lexicon import Lexicon
from schoolgate.classify.text.obfuscation import candidates, collapse
from schoolgate.classify.text.profanity import ProfanityDetector
from schoolgate.classify.text.sexual_terms import SexualTermsDetector

Spans = Callable[..., list[str]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what the fuck", ["fuck"]),
        ("FUCKING hell", ["FUCKING", "hell"]),
        ("f*ck you", ["f*ck"]),
        ("f**k this", ["f**k"]),
        ("sh1t happens", ["sh1t"]),
        ("$hit", ["$hit"]),
        ("fuuuuuuck", ["fuuuuuuck"]),
        ("f u c k you", ["f u c k"]),
        ("f.u.c.k", ["f.u.c.k"]),
        ("s-h-i-t", ["s-h-i-t"]),
        ("ѕhіt", ["ѕhіt"]),  # Cyrillic s and i
        ("ｆｕｃｋ", ["ｆｕｃｋ"]),  # full-width
        ("f\u200buck", ["f\u200buck"]),  # zero-width space
        ("fück", ["fück"]),
        ("you're a b!tch", ["b!tch"]),
        ("motherfucker", ["motherfucker"]),
        ("bullshit!", ["bullshit"]),
        ("a s s h o l e", ["a s s h o l e"]),
        ("you absolute idiot", ["idiot"]),
    ],
)
def test_profanity_sees_through_obfuscation(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(ProfanityDetector(), text) == expected


SCUNTHORPE = [
    "Scunthorpe United won",
    "Penistone and Sussex",
    "the assassin passed the class",
    "cocktail recipes at Cockburn",
    "Dickens wrote it; so did Hancock",
    "analysis by the therapist",
    "grass, bass, mass, pass",
    "cumin and shiitake",
    "Matsushita and Arsenal",
    "hello, shell, helmet",
    "titanic, title, constitution",
    "a classic assignment",
    "the spice rack",
    "hoedown and shoes",
    "graduated summa cum laude",
    "h e l l o there",
    "i n p u t",
    "class of 2024: 1337 students",
]


@pytest.mark.parametrize("text", SCUNTHORPE)
def test_no_scunthorpe_problem(text: str, spans: Spans) -> None:
    assert spans(ProfanityDetector(), text) == []
    assert spans(SexualTermsDetector(), text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send nudes", ["send nudes"]),
        ("check my onlyfans", ["onlyfans"]),
        ("p0rn link", ["p0rn"]),
        ("n u d e s", ["n u d e s"]),
        ("blow job", ["blow job"]),
        ("sex education starts monday", []),
    ],
)
def test_sexual_terms(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(SexualTermsDetector(), text) == expected


def test_ambiguous_word_scores_lower_unless_disguised() -> None:
    plain = ProfanityDetector().detect("my dog is a pussy cat", _ctx())
    disguised = ProfanityDetector().detect("you p*ssy", _ctx())
    assert plain and disguised
    assert plain[0].score < disguised[0].score


def test_candidates_and_collapse() -> None:
    variants, how = candidates("sh1t")
    assert "shit" in variants and "leetspeak" in how
    assert candidates("http://x.y/z?q=1")[0] == ()
    assert collapse("fuuuck") == ("fuck", (1, 3, 1, 1))


def test_whole_word_and_inflections() -> None:
    lex = Lexicon("t", {"strong": ["darn/v", "heck?"]}, ["heck of a"])
    found = [(h.entry.word, h.how) for h in lex.find("darning darned darnit heck of a day, heck")]
    assert found == [("darn", "plain"), ("darn", "plain"), ("heck", "plain")]


def _ctx():  # type: ignore[no-untyped-def]
    from schoolgate.classify.text.context import EMPTY_CONTEXT

    return EMPTY_CONTEXT
