"""Snapshots: deterministic revisions, integrity, and refusal of damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schoolgate.engine import decide, event_from_dict
from schoolgate.engine.snapshot import Snapshot, SnapshotError
from schoolgate.policy.compiler import compile_pack, snapshot_data
from schoolgate.policy.loader import load_pack

MINIMAL = Path(__file__).parents[1] / "policy" / "fixtures" / "good" / "minimal.yaml"


def test_same_input_same_revision() -> None:
    a = compile_pack(load_pack(MINIMAL).pack)
    b = compile_pack(load_pack(MINIMAL).pack)
    assert a.revision == b.revision and len(a.revision) == 64
    assert a.to_bytes() == b.to_bytes()


def test_any_change_changes_the_revision(tmp_path: Path) -> None:
    changed = tmp_path / "p.yaml"
    changed.write_text(MINIMAL.read_text().replace("severity: low", "severity: medium"))
    assert (
        compile_pack(load_pack(changed).pack).revision
        != compile_pack(load_pack(MINIMAL).pack).revision
    )


def test_records_change_the_revision() -> None:
    pack = load_pack(MINIMAL).pack
    empty = compile_pack(pack)
    with_user = compile_pack(pack, {"users": {"u": {"roles": ["student"]}}, "addresses": {}})
    assert empty.revision != with_user.revision


def test_round_trip_through_bytes_decides_the_same() -> None:
    original = compile_pack(load_pack(MINIMAL).pack)
    loaded = Snapshot.from_bytes(original.to_bytes())
    assert loaded.revision == original.revision
    event = event_from_dict({"channel": "web", "time": "2026-10-05T10:00:00-04:00",
                             "subject": {"roles": ["student"]},
                             "web": {"domain": "g.example", "categories": ["games"]}})  # fmt: skip
    assert decide(loaded, event) == decide(original, event)


def test_altered_snapshot_is_refused() -> None:
    blob = compile_pack(load_pack(MINIMAL).pack).to_bytes()
    tampered = blob.replace(b'"action":"block"', b'"action":"allow"', 1)
    assert tampered != blob
    with pytest.raises(SnapshotError, match="does not match its revision"):
        Snapshot.from_bytes(tampered)


@pytest.mark.parametrize(
    "blob",
    [b"", b"not json", b"[]", b'{"revision": "x"}', b"\xff\xfe", b'{"format": 1}'],
)
def test_garbage_is_refused_with_a_snapshot_error(blob: bytes) -> None:
    with pytest.raises(SnapshotError):
        Snapshot.from_bytes(blob)


def test_malformed_data_with_valid_revision_is_refused() -> None:
    data = snapshot_data(load_pack(MINIMAL).pack)
    data["rules"][0]["when"] = {"no_such_condition": True}
    with pytest.raises(SnapshotError, match="malformed"):
        Snapshot.from_data(data)


def test_snapshot_is_immutable() -> None:
    snapshot = compile_pack(load_pack(MINIMAL).pack)
    with pytest.raises(AttributeError):
        snapshot.revision = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        snapshot.rules["web"] = ()  # type: ignore[index]


def test_snapshot_file_is_canonical_json() -> None:
    blob = compile_pack(load_pack(MINIMAL).pack).to_bytes()
    doc = json.loads(blob)
    assert doc["format"] == "schoolgate-snapshot/1"
    assert list(doc) == sorted(doc)
