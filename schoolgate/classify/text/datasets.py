"""Readers for the public labelled sets in ../shared/data/text, and a seeded hold-out split.

Only the training command and the benchmark read files; detectors and the model never do.
Sets published without a validation split (Davidson, SMS Spam, SpamAssassin) get a seeded,
stratified 80/20 split here, and the same split is used by training and evaluation.
"""

from __future__ import annotations

import csv
import random
import tarfile
from pathlib import Path

from schoolgate.classify.text.errors import TextScanError
from schoolgate.classify.text.extract import extract
from schoolgate.classify.text.features import CHUNK_CHARS

Labelled = list[tuple[str, int]]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def tweeteval(root: Path, task: str, split: str) -> Labelled:
    """TweetEval ``task`` ("offensive" or "hate"), ``split`` "train" or "val"."""
    texts = _lines(root / "tweeteval" / task / f"{split}_text.txt")
    labels = _lines(root / "tweeteval" / task / f"{split}_labels.txt")
    if len(texts) != len(labels):
        raise ValueError(f"tweeteval/{task}/{split}: {len(texts)} texts, {len(labels)} labels")
    return [(t.strip(), int(y)) for t, y in zip(texts, labels, strict=True)]


def davidson(root: Path) -> Labelled:
    """Davidson et al. 2017: class 0 hate, 1 offensive, 2 neither."""
    with (root / "davidson" / "labeled_data.csv").open(encoding="utf-8", newline="") as fh:
        return [(row["tweet"], int(row["class"])) for row in csv.DictReader(fh)]


def sms_spam(root: Path) -> Labelled:
    out: Labelled = []
    with (root / "sms-spam" / "train.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            out.append((row["text"], 1 if row["label"] == "spam" else 0))
    return out


def spamassassin(root: Path, limit: int | None = None) -> Labelled:
    """Subject and body text of each message (HTML reduced to text), first chunk only.

    ``limit`` keeps the first that many messages of each folder (for quick runs).
    """
    named: list[tuple[str, str, int]] = []
    kept = {0: 0, 1: 0}
    path = root / "spamassassin" / "train.tar.gz"
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:  # archive order: a gzip stream cannot seek backwards cheaply
            if not member.isfile():
                continue
            label = 1 if member.name.startswith("spam") else 0
            if limit is not None and kept[label] >= limit:
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            kept[label] += 1
            try:
                text = extract(fh.read(), "eml", member.name).text
            except TextScanError:  # binary or oversized: skip, as the filter would refuse it
                continue
            named.append((member.name, text[:CHUNK_CHARS], label))
    return [(text, label) for _, text, label in sorted(named)]


def holdout(
    items: Labelled, seed: int, name: str, fraction: float = 0.2
) -> tuple[Labelled, Labelled]:
    """A stratified split that depends only on the seed, the set's name and its contents' order."""
    rng = random.Random(f"{seed}:{name}")
    train: Labelled = []
    val: Labelled = []
    for label in sorted({y for _, y in items}):
        group = [item for item in items if item[1] == label]
        rng.shuffle(group)
        cut = round(len(group) * fraction)
        val.extend(group[:cut])
        train.extend(group[cut:])
    return train, val
