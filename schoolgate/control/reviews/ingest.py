# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Review requests from the block page's spool into the database.

The block page appends a `review-request` record to the spool and answers only after the append;
this reader (named "reviews", with its own committed offset, beside the "activity" reader that
ingests DNS events from the same spool) stores them. Delivery is at least once: the offset is
committed only after the database transaction, and a record read again is recognised by its
spool sequence number (unique with the source) and not stored twice. Records of other kinds are
passed over; malformed review records are skipped and counted, never retried for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import close_old_connections, transaction

from schoolgate.control.people.models import Person
from schoolgate.control.reviews.models import ReviewRequest
from schoolgate.spool import SpoolReader

log = logging.getLogger(__name__)

READER = "reviews"
KIND = "review-request"
BATCH = 500


@dataclass
class IngestResult:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    other_kinds: int = 0
    malformed: int = 0
    lost: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.read += other.read
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.other_kinds += other.other_kinds
        self.malformed += other.malformed
        self.lost = other.lost
        self.errors.extend(other.errors)


def _text(record: dict[str, Any], key: str, limit: int, required: bool = False) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise ValueError(f"no {key}")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text")
    if required and not value.strip():
        raise ValueError(f"empty {key}")
    return value[:limit]


def _row(seq: int, record: dict[str, Any], source: str) -> ReviewRequest:
    """A request from one spool record, or ValueError when the record is not one."""
    when = record.get("time")
    if isinstance(when, bool) or not isinstance(when, (int, float)):
        raise ValueError("time is not a number")
    requested_at = dt.datetime.fromtimestamp(float(when), dt.UTC)
    domain = _text(record, "name", 253, required=True).strip().lower().rstrip(".")
    if not domain or any(c in domain for c in " /\\\"'<>"):
        raise ValueError("name is not a host name")
    return ReviewRequest(
        source=source,
        seq=seq,
        requested_at=requested_at,
        user=_text(record, "user", 255),
        client=_text(record, "client", 64),
        domain=domain,
        rule=_text(record, "rule", 200),
        clause=_text(record, "clause", 200),
        revision=_text(record, "revision", 64),
        why=_text(record, "why", 500),
    )


def ingest_once(
    spool_dir: str | Path, *, source: str = "blockpage", limit: int = BATCH
) -> IngestResult:
    """Read up to `limit` records past the reader's offset, store the review requests among
    them in one transaction, then commit the offset."""
    reader = SpoolReader(spool_dir, READER)
    entries = reader.read(limit)
    result = IngestResult(read=len(entries), lost=reader.lost)
    rows: list[ReviewRequest] = []
    for entry in entries:
        record = entry.record
        kind = record.get("kind")
        if kind != KIND:
            if "_undecodable" in record or "_value" in record:
                result.malformed += 1
            else:
                result.other_kinds += 1
            continue
        try:
            rows.append(_row(entry.seq, record, source))
        except (ValueError, OverflowError, OSError) as exc:
            result.malformed += 1
            result.errors.append(f"record {entry.seq}: {exc}")
    if rows:
        users = {r.user for r in rows if r.user}
        people = dict(Person.objects.filter(sourced_id__in=users).values_list("sourced_id", "pk"))
        for row in rows:
            row.requester_id = people.get(row.user)
        with transaction.atomic():
            seen = set(
                ReviewRequest.objects.filter(
                    source=source, seq__in=[r.seq for r in rows]
                ).values_list("seq", flat=True)
            )
            fresh = [r for r in rows if r.seq not in seen]
            ReviewRequest.objects.bulk_create(fresh)
        result.stored = len(fresh)
        result.duplicates = len(rows) - len(fresh)
    if entries:
        reader.commit()  # only after the requests are stored: a crash before this re-reads them
    if result.malformed:
        log.warning("review requests: %d malformed records skipped", result.malformed)
    return result


def ingest(spool_dir: str | Path, *, source: str = "blockpage") -> IngestResult:
    """Everything the spool holds past the reader's offset."""
    total = IngestResult()
    while True:
        batch = ingest_once(spool_dir, source=source)
        total.add(batch)
        if batch.read < BATCH:
            return total


def follow(
    spool_dir: str | Path,
    stop: threading.Event,
    *,
    interval: float = 2.0,
    source: str = "blockpage",
) -> IngestResult:
    """Ingest until `stop` is set, polling every `interval` seconds (for a thread of the console
    that `make run` starts). A database or spool error is logged and retried next time."""
    total = IngestResult()
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                total.add(ingest(spool_dir, source=source))
            except Exception as exc:  # keep following: the next poll retries
                log.warning("review requests not ingested: %s", type(exc).__name__)
            stop.wait(interval)
    finally:
        from django.db import connection

        connection.close()
    return total
