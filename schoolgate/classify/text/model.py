"""The shipped classifier: one calibrated linear model per label over a fixed vocabulary.

The artefact is two files: a JSON manifest (labels, vocabulary, shapes, SHA-256, how it was
trained) and a raw little-endian float32 array. Loading reads numbers and strings only; nothing in
a model file can execute code, unlike a pickle or joblib file.
"""

from __future__ import annotations

import hashlib
import json
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
    # The vocabulary as 64-bit keys (a unigram's key is its string hash in this process, a pair's
    # mixes its two words' hashes) in a direct-mapped table: a key sits in the slot its low bits
    # name, or, when another key holds that slot, in a small sorted overflow array. A slot holds
    # its key's high bits and, in the low bits the slot number makes redundant, the feature id
    # (all ones for an empty slot): a probe reads one 8-byte word, and the table takes 4 MB.
    # A lookup is one gather for every feature and one binary search over the overflow for the
    # few whose slot was taken: a fixed handful of vectorised steps, never a Python loop.
    _slots: npt.NDArray[np.uint64] = field(init=False, repr=False, compare=False)
    _over_keys: npt.NDArray[np.uint64] = field(init=False, repr=False, compare=False)
    _over_ids: npt.NDArray[np.int32] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        singles = [(g, i) for g, i in self.vocabulary.items() if " " not in g]
        pairs = [(g.split(" ", 1), i) for g, i in self.vocabulary.items() if " " in g]
        keys = np.concatenate(
            [
                _hashes([g for g, _ in singles]),
                _pair_keys(_hashes([p[0] for p, _ in pairs]), _hashes([p[1] for p, _ in pairs])),
            ]
        )
        ids = np.array([i for _, i in singles] + [i for _, i in pairs], dtype=np.int32)
        for name, value in zip(
            ("_slots", "_over_keys", "_over_ids"), _table(keys, ids), strict=True
        ):
            object.__setattr__(self, name, value)

    def _find(self, keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The feature id of each key, -1 where the vocabulary has none."""
        low = len(self._slots) - 1  # the slot-number bits
        held = self._slots[(keys & np.uint64(low)).astype(np.intp)]
        ids = (held & np.uint64(low)).astype(np.int64)
        taken = ids != low  # an empty slot means no such key, here or in the overflow
        home = ((held ^ keys) <= low) & taken  # the same high bits: this key
        out = np.where(home, ids, -1)
        if len(self._over_keys):
            rest = np.flatnonzero(taken & ~home)
            if len(rest):
                wanted = keys[rest]
                at = np.minimum(np.searchsorted(self._over_keys, wanted), len(self._over_keys) - 1)
                found = self._over_keys[at] == wanted
                out[rest[found]] = self._over_ids[at[found]]
        return out

    def probabilities(self, toks: list[str]) -> npt.NDArray[np.float64]:
        return np.asarray(self.probabilities_many([toks])[0], dtype=np.float64)

    def probabilities_many(self, token_lists: list[list[str]]) -> npt.NDArray[np.float64]:
        """``probabilities`` for many token lists at once, shape (len(token_lists), n_labels).

        The rows are one binary sparse matrix (unigrams and adjacent pairs present in each list,
        L2-normalised) multiplied by the weights in one pass: one hash per token, one table probe
        per feature, one sort to drop repeats within a row, one gather-and-sum per row.
        """
        n = len(token_lists)
        n_labels = len(self.labels)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
        total = int(lengths.sum())
        summed = np.zeros((n, n_labels), dtype=np.float64)
        counts = np.zeros(n, dtype=np.int64)
        if total and len(self.vocabulary):
            h = _hashes(list(chain.from_iterable(token_lists)))
            doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
            same = doc[:-1] == doc[1:]  # pairs never cross from one list to the next
            keys = np.concatenate([h, _pair_keys(h[:-1][same], h[1:][same])])
            docs = np.concatenate([doc, doc[:-1][same]])
            ids = self._find(keys)
            hit = ids >= 0
            # (row, feature) as one integer: sorting it groups rows and exposes repeats
            # (the stable sort, timsort for int64, profits from rows already coming in order)
            cells = np.sort(docs[hit] * len(self.vocabulary) + ids[hit], kind="stable")
            if len(cells):
                cells = cells[_firsts(cells)]
                rows, features = np.divmod(cells, len(self.vocabulary))
                starts = np.flatnonzero(_firsts(rows))
                sums = np.add.reduceat(self.weights[features], starts, axis=0, dtype=np.float64)
                summed[rows[starts]] = sums
                counts = np.bincount(rows, minlength=n)
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


def _firsts(sorted_values: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Where each run of equal values in a sorted array starts."""
    first = np.empty(len(sorted_values), dtype=bool)
    first[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    return first


def _hashes(words: list[str]) -> npt.NDArray[np.uint64]:
    """This process's string hash of each word, as unsigned 64-bit keys."""
    return np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)


def _pair_keys(
    left: npt.NDArray[np.uint64], right: npt.NDArray[np.uint64]
) -> npt.NDArray[np.uint64]:
    """A key for each adjacent pair, order-sensitive; 64-bit arithmetic wraps on purpose (array
    arithmetic on integers wraps silently)."""
    mixed = (left * _MIX_LEFT) ^ (right * _MIX_RIGHT)
    return np.asarray(mixed ^ (mixed >> _SHIFT), dtype=np.uint64)


def _table(
    keys: npt.NDArray[np.uint64], ids: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
    """Slots (high key bits | id; all ones in the low bits for an empty slot) and the sorted
    overflow (keys, ids).

    The table has two to four slots per key, so about one key in eight finds its slot taken, and
    an id (less than the number of keys) always fits below the slot bits, all ones excepted.
    A key met twice keeps its first id, as the lookup in a sorted vocabulary used to.
    """
    size = 1 << max(4, (2 * len(keys) - 1).bit_length())
    if len(ids) and int(ids.max()) >= size - 1:  # cannot happen: ids number the keys
        raise ValueError(f"feature id {int(ids.max())} does not fit below {size - 1}")
    low = np.uint64(size - 1)
    slots = np.full(size, low, dtype=np.uint64)
    unique_keys, first = np.unique(keys, return_index=True)
    home = (unique_keys & low).astype(np.intp)
    order = np.lexsort((first, home))  # by slot, then by first appearance
    home, first = home[order], first[order]
    winner = np.ones(len(home), dtype=bool)
    winner[1:] = home[1:] != home[:-1]
    slots[home[winner]] = (keys[first[winner]] & ~low) | ids[first[winner]].astype(np.uint64)
    over = first[~winner]
    by_key = np.argsort(keys[over], kind="stable")
    return slots, keys[over][by_key], ids[over][by_key]


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
