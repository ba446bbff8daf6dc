"""Training the shipped model: seeded, reproducible, and small enough to run on a laptop.

For each label: binary presence features over a shared vocabulary (unigrams and pairs seen in at
least two training texts), a logistic regression whose C is chosen by 4-fold cross-validated
average precision (folds keep seed templates whole), and Platt scaling fitted on the
out-of-fold scores of that C. Same seed and
data give the same bytes.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold

from schoolgate.classify.text.analyze import detect
from schoolgate.classify.text.corpus import LABELS, Corpus, build, dedupe
from schoolgate.classify.text.features import CHUNK_CHARS, feature_strings, tokens
from schoolgate.classify.text.model import TextModel
from schoolgate.classify.text.seeds import SEED_SETS, expand

C_GRID = (0.5, 2.0, 8.0, 32.0)
MAX_FEATURES = 150_000
MIN_DF = 2


@dataclass(frozen=True)
class TrainConfig:
    data: Path
    out: Path
    seed: int = 13
    sample: int | None = None
    max_features: int = MAX_FEATURES


def text_features(text: str) -> set[str]:
    """What the model sees of one training text: its first chunk, with detector findings."""
    chunk = text[:CHUNK_CHARS]
    return feature_strings(tokens(chunk, detect(chunk)))


def _matrix(rows: list[set[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for grams in rows:
        ids = sorted({vocab[g] for g in grams if g in vocab})
        indices.extend(ids)
        weight = 1.0 / math.sqrt(len(ids)) if ids else 0.0
        values.extend([weight] * len(ids))
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices), np.array(indptr)),
        shape=(len(rows), len(vocab)),
    )


def _fit_label(
    x: sparse.csr_matrix, y: npt.NDArray[np.int64], groups: list[str], seed: int
) -> tuple[LogisticRegression, float, float, dict[str, Any]]:
    # Folds keep each seed template whole, so C and the calibration are chosen on phrasings the
    # fold did not train on; otherwise ten fills of one template leak across folds and every C
    # looks perfect.
    folds = StratifiedGroupKFold(n_splits=4, shuffle=True, random_state=seed)
    best: tuple[float, float, npt.NDArray[np.float64]] | None = None
    for c in C_GRID:
        oof = np.zeros(len(y))
        for tr, te in folds.split(np.zeros(len(y)), y, groups):
            clf = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=2000)
            clf.fit(x[tr], y[tr])
            oof[te] = clf.decision_function(x[te])
        ap = float(average_precision_score(y, oof))
        if best is None or ap > best[0]:
            best = (ap, c, oof)
    if best is None:  # pragma: no cover - C_GRID is not empty
        raise RuntimeError("empty C grid")
    ap, c, oof = best
    platt = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    platt.fit(oof.reshape(-1, 1), y)
    a = -float(platt.coef_[0, 0])
    b = -float(platt.intercept_[0])
    final = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=2000)
    final.fit(x, y)
    stats = {"C": c, "cv_average_precision": round(ap, 4), "n": len(y), "positives": int(y.sum())}
    return final, a, b, stats


def train(config: TrainConfig, log: Callable[[str], None] = print) -> TextModel:
    started = time.monotonic()
    corpus: Corpus = build(config.data, config.seed, config.sample)
    per_label = {label: dedupe(corpus.labels[label].train) for label in LABELS}
    template_of: dict[str, str] = {}
    for name in SEED_SETS:
        for e in expand(name, config.seed)[0]:
            template_of[e.text] = f"{name}:{e.positive}:{e.template}"
    texts = sorted({t for rows in per_label.values() for t, _ in rows})
    log(f"featurising {len(texts):,} distinct training texts")
    grams = {t: text_features(t) for t in texts}
    df: Counter[str] = Counter()
    for g in grams.values():
        df.update(g)
    kept = sorted((g for g, n in df.items() if n >= MIN_DF), key=lambda g: (-df[g], g))
    kept = sorted(kept[: config.max_features])
    vocab = {g: i for i, g in enumerate(kept)}
    log(f"vocabulary: {len(vocab):,} features (of {len(df):,} seen)")
    weights = np.zeros((len(vocab), len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    platt_a = np.zeros(len(LABELS), dtype=np.float32)
    platt_b = np.zeros(len(LABELS), dtype=np.float32)
    label_stats: dict[str, Any] = {}
    for j, label in enumerate(LABELS):
        rows = per_label[label]
        x = _matrix([grams[t] for t, _ in rows], vocab)
        y = np.array([lab for _, lab in rows], dtype=np.int64)
        groups = [template_of.get(t, t) for t, _ in rows]
        clf, a, b, stats = _fit_label(x, y, groups, config.seed)
        weights[:, j] = clf.coef_[0].astype(np.float32)
        bias[j] = np.float32(clf.intercept_[0])
        platt_a[j], platt_b[j] = np.float32(a), np.float32(b)
        stats["sources"] = corpus.labels[label].sources
        label_stats[label] = stats
        log(f"{label}: C={stats['C']} cv AP={stats['cv_average_precision']} n={stats['n']:,}")
    fingerprint = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()
    model = TextModel(
        labels=LABELS,
        vocabulary=vocab,
        weights=weights,
        bias=bias,
        platt_a=platt_a,
        platt_b=platt_b,
        manifest={
            "seed": config.seed,
            "sample": config.sample,
            "training_texts": len(texts),
            "training_texts_sha256": fingerprint,
            "per_label": label_stats,
            "features": "binary unigrams+bigrams of features.tokens(), L2-normalised",
            "calibration": "Platt scaling on 4-fold out-of-fold logits",
        },
    )
    model.save(config.out)
    log(f"wrote {config.out} in {time.monotonic() - started:.0f}s")
    return model
