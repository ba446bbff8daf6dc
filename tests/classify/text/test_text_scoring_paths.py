"""The fast scoring paths agree with the plain ones they replace.

Batches score every chunk and sentence in one sparse product, sentences are normalised in one
pass per chunk, and the vocabulary is a hash table: each is checked here against a slow, obvious
reference, on messages chosen for the cases where a shortcut could go wrong.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from itertools import islice, pairwise

import numpy as np
import pytest

from schoolgate.classify.text import analyze, analyze_many, detect, make_context
from schoolgate.classify.text.analyze import _unit_tokens
from schoolgate.classify.text.features import chunks, feature_strings, tokens
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.model import _hashes, _pair_keys, shipped

FRIENDLY = "hey! how are you doing today? the bus was late again, so i missed first period. "
MESSAGES = [
    "",
    "   ",
    "ok",
    "you idiot, i will kill you tomorrow",
    FRIENDLY * 6 + "i am going to shoot up the school on friday. " + "lol ok see you later " * 20,
    "Emma Johnson's pw is dragon99, call 415-555-2671. Her SSN is 123-45-6780!",
    "I owe you 5, dollars. pay me 20,\nbucks or $\n\n5 tomorrow, ok? see http://x.co/a, now.",
    "Tom &amp; Jerry &lt;3 you. &amp\rfoo bar baz qux. &#33; is a bang, right?",
    "the word qqcut is odd. so is QQ'CUT here, isn't it? yes it is indeed.",
    "f u c k you. sh1t!! WHAT ARE YOU DOING HERE, SERIOUSLY NOW. c0ck and b!tch.",
    "Ｆｕｃｋ this. ѕhit happens; 🙂 emoji here. déjà vu: the café is closed.",
    "line one\n\nline two without stop\n \nline three: ends here; and more, and more.",
    # the second chunk starts at the space after "end." and holds more than 64 sentences
    "word " * 790 + "end. " + "x" * 60 + " " + "a b c d. " * 100 + "i will stab you.",
    "a. " * 200,
]


def _reference_units(text: str, findings: list[Finding]) -> list[tuple[list[str], bool]]:
    """Token lists as the first version built them: ``tokens()`` on every chunk and sentence."""
    sentence_end = re.compile(r"(?<=[.!?\n,;:])\s+")
    ordered = sorted(findings, key=lambda f: f.start)
    starts = [f.start for f in ordered]

    def inside(lo: int, hi: int) -> list[Finding]:
        return ordered[bisect_left(starts, lo) : bisect_left(starts, hi)]

    out: list[tuple[list[str], bool]] = []
    for start, end in chunks(text):
        out.append((tokens(text[start:end], inside(start, end)), False))
        cuts = [m.end() for m in islice(sentence_end.finditer(text, start, end), 64)]
        if not cuts:
            continue
        for lo, hi in pairwise([start, *cuts, end]):
            if len(text[lo:hi].split()) >= 4:
                out.append((tokens(text[lo:hi], inside(lo, hi)), True))
    return out


@pytest.mark.parametrize("text", MESSAGES)
def test_sentence_tokens_match_one_tokens_call_per_span(text: str) -> None:
    findings = detect(text)
    token_lists: list[list[str]] = []
    sentence: list[bool] = []
    _unit_tokens(text, findings, token_lists, sentence)
    assert list(zip(token_lists, sentence, strict=True)) == _reference_units(text, findings)


def test_batched_and_single_analysis_agree() -> None:
    ctx = make_context(roster=["Emma Johnson"], student_id_patterns={"district": r"S\d{7}"})
    single = [analyze(text, ctx) for text in MESSAGES]
    batched = analyze_many(MESSAGES, ctx)
    assert batched == single  # labels to the last bit, findings, truncation
    assert analyze_many([], ctx) == []


def test_a_threat_inside_a_long_friendly_message_is_caught_in_a_batch() -> None:
    long_threat = MESSAGES[4]
    results = analyze_many([FRIENDLY * 10, long_threat, "have a nice weekend everyone"])
    assert results[1].labels["threat"] > 0.5
    assert results[1].labels["threat"] > 2 * results[0].labels["threat"]
    assert results[1].labels["threat"] > 2 * results[2].labels["threat"]


def _reference_probabilities(toks: list[str]) -> np.ndarray:
    """Binary features by their strings, a dot product per label, Platt's sigmoid."""
    model = shipped()
    ids = sorted({model.vocabulary[g] for g in feature_strings(toks) if g in model.vocabulary})
    z = model.weights[ids].astype(np.float64).sum(axis=0) / math.sqrt(max(len(ids), 1))
    z = z + model.bias
    return np.asarray(1.0 / (1.0 + np.exp(model.platt_a * z + model.platt_b)))


def test_sparse_product_matches_feature_strings() -> None:
    token_lists: list[list[str]] = []
    for text in MESSAGES:
        _unit_tokens(text, detect(text), token_lists, [])
    token_lists += [[], ["the", "the", "the"], ["<excl>"]]
    got = shipped().probabilities_many(token_lists)
    want = np.array([_reference_probabilities(toks) for toks in token_lists])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_every_vocabulary_feature_is_found_and_others_are_not() -> None:
    model = shipped()
    grams = list(model.vocabulary)
    singles = [g for g in grams if " " not in g]
    pairs = [g.split(" ", 1) for g in grams if " " in g]
    keys = np.concatenate(
        [
            _hashes(singles),
            _pair_keys(_hashes([a for a, _ in pairs]), _hashes([b for _, b in pairs])),
        ]
    )
    want = np.array(
        [model.vocabulary[g] for g in singles] + [model.vocabulary[f"{a} {b}"] for a, b in pairs]
    )
    assert (model._find(keys) == want).all()  # slots and overflow alike
    absent = _hashes([f"zz-not-a-word-{i}" for i in range(5000)])
    assert (model._find(absent) == -1).all()
