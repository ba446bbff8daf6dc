# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Marking records changed, building a snapshot's records, and publishing it atomically."""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from schoolgate.control.publication.models import PublishedSnapshot, PublishState
from schoolgate.engine.snapshot import Snapshot
from schoolgate.policy.compiler import compile_pack

log = logging.getLogger(__name__)


def mark_changed(reason: str) -> None:
    """Note, in the caller's transaction, that a new snapshot is due."""
    now = timezone.now()
    updated = PublishState.objects.filter(pk=1).update(
        changes=F("changes") + 1, last_reason=reason[:80], changed_at=now
    )
    if not updated:
        PublishState.objects.get_or_create(
            pk=1, defaults={"changes": 1, "last_reason": reason[:80], "changed_at": now}
        )


def pending() -> tuple[int, int]:
    """(changes, published): a snapshot is due when the first is ahead of the second."""
    state = PublishState.objects.filter(pk=1).values_list("changes", "published").first()
    return state or (0, 0)


def snapshot_path() -> Path:
    return Path(settings.SCHOOLGATE_SNAPSHOT)


def build_records(now: dt.datetime | None = None, pack_name: str | None = None) -> dict[str, Any]:
    """Everything the engine needs to know about people and addresses, from the database."""
    from schoolgate.control.publication.records import records

    return records(now or timezone.now(), pack_name or settings.SCHOOLGATE_PACK)


def write_atomic(path: Path, blob: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`:
    a reader sees the old snapshot or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(blob)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextmanager
def _publish_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Published:
    revision: str
    path: Path
    written: bool  # False when the content was unchanged
    users: int
    seconds: float


def current_revision(path: Path) -> str | None:
    """The revision of the file at `path`, if it is a valid snapshot."""
    import json

    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    revision = document.get("revision") if isinstance(document, dict) else None
    return revision if isinstance(revision, str) else None


def publish(
    path: Path | None = None, pack_name: str | None = None, now: dt.datetime | None = None
) -> Published:
    """Compile the pack with the current records and write the snapshot if it changed."""
    from schoolgate.control.agreements.services import current_pack

    path = path or snapshot_path()
    started = time.perf_counter()
    with _publish_lock(path):
        changes, _ = pending()
        loaded = current_pack(pack_name)
        records = build_records(now, pack_name)
        snapshot: Snapshot = compile_pack(loaded.pack, records)
        blob = snapshot.to_bytes()
        written = current_revision(path) != snapshot.revision
        if written:
            write_atomic(path, blob)
        seconds = time.perf_counter() - started
        with transaction.atomic():
            PublishState.objects.filter(pk=1, published__lt=changes).update(published=changes)
            if written:
                from schoolgate.control.agreements.services import pack_hash

                PublishedSnapshot.objects.create(
                    revision=snapshot.revision,
                    published_at=timezone.now(),
                    pack_id=snapshot.pack_id,
                    pack_version=snapshot.pack_version,
                    policy_hash=pack_hash(loaded.pack),
                    users=len(records["users"]),
                    addresses=len(records["addresses"]),
                    size=len(blob),
                    path=str(path),
                    changes=changes,
                    seconds=seconds,
                )
    if written:
        log.info("published snapshot %s (%d users)", snapshot.short_revision, len(records["users"]))
    return Published(snapshot.revision, path, written, len(records["users"]), seconds)


def publish_pending(path: Path | None = None) -> Published | None:
    """Publish if records changed since the last snapshot (or none is on disk)."""
    path = path or snapshot_path()
    changes, published = pending()
    if changes > published or not path.exists():
        return publish(path)
    return None
