"""The shipped model file: safe to load, checked against its manifest, and reproducible."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from schoolgate.classify.text.errors import ModelError
from schoolgate.classify.text.model import MANIFEST, WEIGHTS, load_dir, shipped
from schoolgate.classify.text.train import TrainConfig, train

MODEL_DIR = Path(__file__).resolve().parents[3] / "schoolgate" / "classify" / "text" / "weights"


def test_shipped_model_is_small_and_not_a_pickle() -> None:
    files = sorted(p.name for p in MODEL_DIR.iterdir() if p.is_file() and p.suffix != ".py")
    assert files == [WEIGHTS, MANIFEST]
    assert sum(p.stat().st_size for p in MODEL_DIR.iterdir()) < 20 * 1024 * 1024
    assert shipped().manifest["format"] == "schoolgate-text-model/1"


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    raw = bytearray((copy / WEIGHTS).read_bytes())
    raw[100] ^= 0xFF
    (copy / WEIGHTS).write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="SHA-256"):
        load_dir(copy)


def test_wrong_format_and_missing_files_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["format"] = "pickle"
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="format"):
        load_dir(copy)
    with pytest.raises(ModelError, match="cannot read"):
        load_dir(tmp_path / "nowhere")


def test_tiny_seeded_training_is_reproducible(shared_dir: Path, tmp_path: Path) -> None:
    data = shared_dir / "data" / "text"
    quiet: list[str] = []
    one = train(
        TrainConfig(data, tmp_path / "a", seed=7, sample=80, max_features=3000), quiet.append
    )
    train(TrainConfig(data, tmp_path / "b", seed=7, sample=80, max_features=3000), quiet.append)
    for name in (MANIFEST, WEIGHTS):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    reloaded = load_dir(tmp_path / "a")
    assert reloaded.labels == one.labels and len(reloaded.vocabulary) <= 3000
