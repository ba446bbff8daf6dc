"""Which examples teach and test each label: the one table that says where every label's data
comes from, shared by ``schoolgate classify train`` and bench/text.

Public sets label one thing each, so a label also borrows "assumed negatives" from sets that
cannot plausibly contain it (an SMS from a friend is assumed not to be a bomb recipe); docs list
these assumptions per label. The sets with no validation split get a seeded 80/20 split.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from schoolgate.classify.text import datasets
from schoolgate.classify.text.seeds import SEED_SETS, SeedExample, expand

LABELS = (
    "offensive", "hate", "threat", "sexual", "self_harm", "dangerous", "solicitation",
    "political", "spam",
)  # fmt: skip
SEED_LABEL = {s: ("spam" if s == "chain_letter" else s) for s in SEED_SETS}
# Seed sets whose positives are assumed negative for a label ("a campaign ad is not a threat").
DISJOINT: dict[str, tuple[str, ...]] = {
    "offensive": ("political", "solicitation", "chain_letter", "dangerous"),
    "hate": ("political", "solicitation", "chain_letter", "dangerous", "self_harm"),
    "threat": ("self_harm", "solicitation", "political", "chain_letter", "sexual"),
    "self_harm": ("threat", "solicitation", "political", "chain_letter", "sexual"),
    "dangerous": ("solicitation", "political", "chain_letter", "sexual"),
    "sexual": ("threat", "self_harm", "dangerous", "solicitation", "political", "chain_letter"),
    "solicitation": ("threat", "self_harm", "dangerous", "sexual"),
    "political": ("threat", "self_harm", "dangerous", "sexual", "chain_letter"),
    "spam": ("threat", "self_harm", "dangerous"),
}
GENERIC_SAMPLE = 2000


@dataclass
class LabelData:
    train: list[tuple[str, int]] = field(default_factory=list)
    # validation set name -> examples, e.g. "tweeteval-offensive-val"
    val: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    labels: dict[str, LabelData]
    davidson_val: list[tuple[str, int]]  # raw classes, for the benchmark's per-class view


def _sample(items: list[tuple[str, int]], n: int, rng: random.Random) -> list[tuple[str, int]]:
    return items if len(items) <= n else rng.sample(items, n)


def build(root: Path, seed: int, sample: int | None = None) -> Corpus:
    """Every label's training and validation data. ``sample`` caps each public set (for tests)."""
    rng = random.Random(seed)

    def cap(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return items if sample is None else _sample(items, sample, rng)

    off_train = cap(datasets.tweeteval(root, "offensive", "train"))
    off_val = cap(datasets.tweeteval(root, "offensive", "val"))
    hate_train = cap(datasets.tweeteval(root, "hate", "train"))
    hate_val = cap(datasets.tweeteval(root, "hate", "val"))
    dav_train, dav_val = datasets.holdout(cap(datasets.davidson(root)), seed, "davidson")
    sms_train, sms_val = datasets.holdout(cap(datasets.sms_spam(root)), seed, "sms-spam")
    sa_train, sa_val = datasets.holdout(
        cap(datasets.spamassassin(root, sample)), seed, "spamassassin"
    )
    seed_train: dict[str, list[SeedExample]] = {}
    seed_val: dict[str, list[SeedExample]] = {}
    for name in SEED_SETS:
        seed_train[name], seed_val[name] = expand(name, seed)

    benign_tweets = [(t, 0) for t, y in off_train if y == 0]
    generic = (
        _sample(benign_tweets, GENERIC_SAMPLE, rng)
        + _sample([(t, 0) for t, y in sms_train if y == 0], GENERIC_SAMPLE, rng)
        + _sample([(t, 0) for t, y in sa_train if y == 0], GENERIC_SAMPLE, rng)
    )

    def seed_negatives_for(
        label: str, split: dict[str, list[SeedExample]]
    ) -> list[tuple[str, int]]:
        others = [s for s in SEED_SETS if SEED_LABEL[s] != label]
        out = [(e.text, 0) for s in others for e in split[s] if not e.positive]
        out += [(e.text, 0) for s in DISJOINT[label] for e in split[s] if e.positive]
        return out

    labels: dict[str, LabelData] = {}
    off = LabelData(sources=["tweeteval/offensive", "davidson (hate or offensive = 1)"])
    off.train = off_train + [(t, int(c != 2)) for t, c in dav_train]
    off.train += _sample([(t, 0) for t, y in sms_train if y == 0], GENERIC_SAMPLE, rng)
    off.train += _sample([(t, 0) for t, y in sa_train if y == 0], GENERIC_SAMPLE, rng)
    off.train += seed_negatives_for("offensive", seed_train)
    off.val = {
        "tweeteval-offensive-val": off_val,
        "davidson-holdout": [(t, int(c != 2)) for t, c in dav_val],
    }
    labels["offensive"] = off

    hate = LabelData(sources=["tweeteval/hate", "davidson (hate = 1, neither = 0)"])
    hate.train = hate_train + [(t, int(c == 0)) for t, c in dav_train if c != 1]
    hate.train += generic + seed_negatives_for("hate", seed_train)
    hate.val = {
        "tweeteval-hate-val": hate_val,
        "davidson-holdout": [(t, int(c == 0)) for t, c in dav_val if c != 1],
    }
    labels["hate"] = hate

    spam = LabelData(sources=["sms-spam", "spamassassin", "seed_sets/chain_letter"])
    spam.train = (
        sms_train + sa_train + [(e.text, int(e.positive)) for e in seed_train["chain_letter"]]
    )
    spam.train += _sample(benign_tweets, GENERIC_SAMPLE, rng)
    spam.train += seed_negatives_for("spam", seed_train)
    spam.val = {
        "sms-spam-holdout": sms_val,
        "spamassassin-holdout": sa_val,
        "seeds-chain_letter-val": [(e.text, int(e.positive)) for e in seed_val["chain_letter"]],
    }
    labels["spam"] = spam

    for name in SEED_SETS:
        label = SEED_LABEL[name]
        if label == "spam":
            continue
        data = LabelData(sources=[f"seed_sets/{name}", "assumed negatives (see docs)"])
        data.train = [(e.text, int(e.positive)) for e in seed_train[name]]
        data.train += generic + seed_negatives_for(label, seed_train)
        own = [(e.text, int(e.positive)) for e in seed_val[name]]
        data.val = {f"seeds-{name}-val": own + seed_negatives_for(label, seed_val)}
        labels[label] = data
    return Corpus({label: labels[label] for label in LABELS}, dav_val)


def dedupe(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """One row per text; a text seen with both labels keeps the positive (the safer reading)."""
    best: dict[str, int] = {}
    for text, y in items:
        best[text] = max(y, best.get(text, 0))
    return sorted(best.items())
