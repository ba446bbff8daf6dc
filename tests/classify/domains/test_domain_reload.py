"""Reloading: the resolver swaps to a new index atomically and never to a broken one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from schoolgate.classify.domains import CategoryIndex, IndexFormatError, LiveIndex
from schoolgate.classify.domains.build import build_index
from schoolgate.lists.model import Action, Entry

OLD = [Entry("old.example", "games"), Entry("shared.example", "chat")]
NEW = [Entry("new.example", "adult"), Entry("shared.example", "chat", Action.ALLOW)]


def test_reload_swaps_to_the_new_file(tmp_path: Path) -> None:
    path = tmp_path / "index.sgidx"
    first = build_index(OLD, path)
    live = LiveIndex(path)
    before = live.index
    assert live.revision == first.revision
    assert live.reload() is False  # nothing changed on disk

    second = build_index(NEW, path)
    assert live.reload() is True
    assert live.revision == second.revision
    assert live.lookup("a.new.example").categories == {"adult"}
    assert not live.lookup("old.example").listed
    assert live.lookup("shared.example").allowed_by == {"chat"}
    # A decision that started on the old index finishes on it: its mapping is still valid.
    assert before.lookup("old.example").categories == {"games"}
    assert before.revision == first.revision


def test_bad_new_file_keeps_the_old_index(tmp_path: Path) -> None:
    path = tmp_path / "index.sgidx"
    good = build_index(OLD, path)
    live = LiveIndex(path)
    damaged = bytearray(path.read_bytes())
    damaged[-3] ^= 0xFF
    tmp = tmp_path / "incoming"
    tmp.write_bytes(bytes(damaged))
    tmp.replace(path)
    with pytest.raises(IndexFormatError):
        live.reload()
    assert live.revision == good.revision
    assert live.lookup("old.example").categories == {"games"}
    path.unlink()
    with pytest.raises(FileNotFoundError):
        live.reload()
    assert live.lookup("old.example").categories == {"games"}


def test_same_content_rebuilt_is_still_a_new_revision_but_same_answers(tmp_path: Path) -> None:
    path = tmp_path / "index.sgidx"
    build_index(OLD, path, salt=b"k" * 16)
    live = LiveIndex(path)
    rev = live.revision
    os.utime(path, ns=(1, 1))  # touched, same bytes: reopened, same revision, not swapped
    assert live.reload() is False
    assert live.revision == rev


def test_lookups_never_fail_while_reloading(tmp_path: Path) -> None:
    path = tmp_path / "index.sgidx"
    build_index(OLD, path)
    live = LiveIndex(path)
    errors: list[BaseException] = []
    seen: set[frozenset[str]] = set()
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                seen.add(live.lookup("x.shared.example").categories)
                live.lookup("old.example")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for i in range(20):
        build_index(NEW if i % 2 else OLD, path)
        assert live.reload() is True
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert frozenset({"chat"}) in seen


def test_rename_is_atomic_for_readers(tmp_path: Path) -> None:
    """A reader opening the path at any moment sees a whole index (old or new), never a part."""
    path = tmp_path / "index.sgidx"
    build_index(OLD, path)
    failures: list[BaseException] = []
    stop = threading.Event()

    def opener() -> None:
        while not stop.is_set():
            try:
                with CategoryIndex.open(path) as index:
                    assert index.lookup("shared.example").listed
            except BaseException as exc:
                failures.append(exc)

    thread = threading.Thread(target=opener)
    thread.start()
    for i in range(20):
        build_index(NEW if i % 2 else OLD, path)
    stop.set()
    thread.join()
    assert not failures
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.sgidx"]
