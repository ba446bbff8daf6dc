"""The shipped classifier: one calibrated linear model per label over hashed-free vocabulary ids.

The artefact is two files: a JSON manifest (labels, vocabulary, shapes, SHA-256, how it was
trained) and a raw little-endian float32 array. Loading reads numbers and strings only; nothing in
a model file can execute code, unlike a pickle or joblib file.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from schoolgate.classify.text.errors import ModelError
from schoolgate.classify.text.features import feature_strings

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

    def feature_ids(self, toks: list[str]) -> list[int]:
        vocab = self.vocabulary
        return sorted({vocab[g] for g in feature_strings(toks) if g in vocab})

    def logits(self, ids: list[int]) -> npt.NDArray[np.float32]:
        if not ids:
            return self.bias.copy()
        summed = self.weights[ids].sum(axis=0, dtype=np.float32)
        return (summed / np.float32(math.sqrt(len(ids))) + self.bias).astype(np.float32)

    def probabilities(self, toks: list[str]) -> npt.NDArray[np.float64]:
        z = self.logits(self.feature_ids(toks)).astype(np.float64)
        return 1.0 / (1.0 + np.exp(self.platt_a * z + self.platt_b))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        n_features, n_labels = self.weights.shape
        blob = np.concatenate(
            [self.weights.ravel(), self.bias, self.platt_a, self.platt_b]
        ).astype("<f4")
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
    base = resources.files("schoolgate.classify.text").joinpath("model")
    try:
        manifest_text = base.joinpath(MANIFEST).read_text(encoding="utf-8")
        raw = base.joinpath(WEIGHTS).read_bytes()
    except OSError as exc:
        raise ModelError(
            f"schoolgate/classify/text/model: no trained model ({exc}); "
            "run `schoolgate classify train`"
        ) from exc
    return from_bytes(manifest_text, raw, "schoolgate/classify/text/model")
