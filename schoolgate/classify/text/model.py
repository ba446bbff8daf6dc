"""The shipped classifier: one calibrated linear model per label over a fixed vocabulary.

The artefact is two files: a JSON manifest (labels, vocabulary, shapes, SHA-256, how it was
trained) and a raw little-endian float32 array. Loading reads numbers and strings only; nothing in
a model file can execute code, unlike a pickle or joblib file.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from schoolgate.classify.text.errors import ModelError

MANIFEST = "text-model.json"
WEIGHTS = "text-model.bin"
FORMAT = "schoolgate-text-model/1"


@dataclass(frozen=True)
class TextModel:
    """Per label: logit = w·x + b over L2-normalised binary features, then Platt's sigmoid."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: npt.NDArray[np.float32]  # (n_features, n_labels)
    bias: npt.NDArray[np.float32]  # (n_labels,)
    platt_a: npt.NDArray[np.float32]
    platt_b: npt.NDArray[np.float32]
    manifest: dict[str, Any]
    # The vocabulary as sorted 64-bit keys: a unigram's key is its string hash in this process,
    # a pair's key mixes its two words' hashes. Scanning then needs one hash per token and a few
    # vectorised operations, never a Python loop over word pairs.
    _keys: npt.NDArray[np.uint64] = field(init=False, repr=False, compare=False)
    _key_ids: npt.NDArray[np.int64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        singles = [(g, i) for g, i in self.vocabulary.items() if " " not in g]
        pairs = [(g.split(" ", 1), i) for g, i in self.vocabulary.items() if " " in g]
        keys = np.concatenate(
            [
                _hashes([g for g, _ in singles]),
                _pair_keys(_hashes([p[0] for p, _ in pairs]), _hashes([p[1] for p, _ in pairs])),
            ]
        )
        ids = np.array([i for _, i in singles] + [i for _, i in pairs], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        object.__setattr__(self, "_keys", keys[order])
        object.__setattr__(self, "_key_ids", ids[order])

    def _lookup(
        self, keys: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Positions in the vocabulary of ``keys`` (sorted), and which were found."""
        pos = np.searchsorted(self._keys, keys)
        pos[pos >= len(self._keys)] = 0
        return pos, np.asarray(self._keys[pos] == keys, dtype=np.bool_)

    def feature_ids(self, toks: list[str]) -> npt.NDArray[np.int64]:
        """Sorted vocabulary ids of the message's unigrams and pairs."""
        if not toks or not len(self._keys):
            return np.zeros(0, dtype=np.int64)
        h = _hashes(toks)
        keys = np.unique(np.concatenate([h, _pair_keys(h[:-1], h[1:])]))
        pos, hit = self._lookup(keys)
        return np.sort(self._key_ids[pos[hit]])

    def logits(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        if not len(ids):
            return self.bias.copy()
        summed = self.weights[ids].sum(axis=0, dtype=np.float32)
        scaled: npt.NDArray[np.float32] = summed / np.float32(math.sqrt(len(ids))) + self.bias
        return scaled.astype(np.float32)

    def probabilities(self, toks: list[str]) -> npt.NDArray[np.float64]:
        z = self.logits(self.feature_ids(toks)).astype(np.float64)
        return 1.0 / (1.0 + np.exp(self.platt_a * z + self.platt_b))

    def probabilities_many(self, token_lists: list[list[str]]) -> npt.NDArray[np.float64]:
        """``probabilities`` for many token lists at once, shape (len(token_lists), n_labels).

        One sorted search and one sparse product for the whole batch: the vocabulary and the
        weights are walked in order once instead of hundreds of scattered probes per message.
        """
        n = len(token_lists)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
        total = int(lengths.sum())
        if total == 0 or not len(self._keys):
            z = np.tile(self.bias.astype(np.float64), (n, 1))
            return np.asarray(1.0 / (1.0 + np.exp(self.platt_a * z + self.platt_b)))
        h = _hashes(list(chain.from_iterable(token_lists)))
        doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
        same = doc[:-1] == doc[1:]  # pairs never cross from one message to the next
        keys = np.concatenate([h, _pair_keys(h[:-1][same], h[1:][same])])
        docs = np.concatenate([doc, doc[:-1][same]])
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
        keys, docs = keys[first], docs[first]
        pos, hit = self._lookup(keys)
        ids, docs = self._key_ids[pos[hit]], docs[hit]
        by_doc = np.argsort(docs, kind="stable")
        ids, docs = ids[by_doc], docs[by_doc]
        counts = np.bincount(docs, minlength=n)
        summed = np.zeros((n, len(self.labels)), dtype=np.float64)
        if len(ids):
            starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
            sums = np.add.reduceat(self.weights[ids], starts, axis=0, dtype=np.float64)
            summed[docs[starts]] = sums
        scale = 1.0 / np.sqrt(np.maximum(counts, 1).astype(np.float64))
        z = summed * scale[:, None] + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(self.platt_a * z + self.platt_b)))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        n_features, n_labels = self.weights.shape
        blob = np.concatenate([self.weights.ravel(), self.bias, self.platt_a, self.platt_b]).astype(
            "<f4"
        )
        raw = blob.tobytes()
        (directory / WEIGHTS).write_bytes(raw)
        vocab_list = [""] * len(self.vocabulary)
        for gram, i in self.vocabulary.items():
            vocab_list[i] = gram
        manifest = dict(self.manifest)
        manifest.update(
            {
                "format": FORMAT,
                "labels": list(self.labels),
                "n_features": n_features,
                "n_labels": n_labels,
                "weights_sha256": hashlib.sha256(raw).hexdigest(),
                "vocabulary": vocab_list,
            }
        )
        text = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        (directory / MANIFEST).write_text(text + "\n", encoding="utf-8")


_MIX_LEFT = np.uint64(0x9E3779B97F4A7C15)
_MIX_RIGHT = np.uint64(0xC2B2AE3D27D4EB4F)
_SHIFT = np.uint64(29)


def _hashes(words: list[str]) -> npt.NDArray[np.uint64]:
    """This process's string hash of each word, as unsigned 64-bit keys."""
    return np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)


def _pair_keys(
    left: npt.NDArray[np.uint64], right: npt.NDArray[np.uint64]
) -> npt.NDArray[np.uint64]:
    """A key for each adjacent pair, order-sensitive; 64-bit arithmetic wraps on purpose."""
    with np.errstate(over="ignore"):
        mixed = (left * _MIX_LEFT) ^ (right * _MIX_RIGHT)
    return np.asarray(mixed ^ (mixed >> _SHIFT), dtype=np.uint64)


def from_bytes(manifest_text: str, raw: bytes, where: str) -> TextModel:
    """Check and assemble a model; every mismatch is a ModelError naming ``where``."""
    try:
        manifest = json.loads(manifest_text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{where}/{MANIFEST}: not JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise ModelError(f"{where}/{MANIFEST}: format {manifest.get('format')!r}, want {FORMAT}")
    if hashlib.sha256(raw).hexdigest() != manifest["weights_sha256"]:
        raise ModelError(f"{where}/{WEIGHTS}: SHA-256 does not match the manifest")
    n_features, n_labels = int(manifest["n_features"]), int(manifest["n_labels"])
    values = np.frombuffer(raw, dtype="<f4")
    if values.size != n_features * n_labels + 3 * n_labels:
        raise ModelError(f"{where}/{WEIGHTS}: {values.size} numbers, manifest implies more")
    vocab_list: list[str] = manifest.pop("vocabulary")
    if len(vocab_list) != n_features:
        raise ModelError(f"{where}/{MANIFEST}: vocabulary has {len(vocab_list)} entries")
    cut = n_features * n_labels
    return TextModel(
        labels=tuple(manifest["labels"]),
        vocabulary={g: i for i, g in enumerate(vocab_list)},
        weights=values[:cut].reshape(n_features, n_labels).astype(np.float32),
        bias=values[cut : cut + n_labels].astype(np.float32),
        platt_a=values[cut + n_labels : cut + 2 * n_labels].astype(np.float32),
        platt_b=values[cut + 2 * n_labels :].astype(np.float32),
        manifest=manifest,
    )


def load_dir(directory: Path) -> TextModel:
    try:
        manifest_text = (directory / MANIFEST).read_text(encoding="utf-8")
        raw = (directory / WEIGHTS).read_bytes()
    except OSError as exc:
        raise ModelError(f"{directory}: cannot read the model: {exc}") from exc
    return from_bytes(manifest_text, raw, str(directory))


@cache
def shipped() -> TextModel:
    """The model inside the package, loaded once per process."""
    base = resources.files("schoolgate.classify.text").joinpath("weights")
    try:
        manifest_text = base.joinpath(MANIFEST).read_text(encoding="utf-8")
        raw = base.joinpath(WEIGHTS).read_bytes()
    except OSError as exc:
        raise ModelError(
            f"schoolgate/classify/text/weights: no trained model ({exc}); "
            "run `schoolgate classify train`"
        ) from exc
    return from_bytes(manifest_text, raw, "schoolgate/classify/text/weights")
