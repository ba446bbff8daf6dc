# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""The spool → event store feed: read with the reader name "activity", store in bulk, and move
the reader's offset only once the rows are committed.

Delivery is at least once. A crash between the insert and the offset commit re-reads the same
records next time; `(spool, seq)` is unique, so they are found and not stored again. A record
of a kind the store does not keep (a review request) is passed over; a record that cannot be
read is skipped and counted, with its sequence number in the log, never stopping the feed.

The same transaction opens the incidents bypass attempts call for (`activity/bypass.py`), so a
rollback undoes them with the events they count.

`follow()` is what a long-running process runs on a thread (`make run`'s console, or
`schoolgate events ingest --follow`): it drains the spool, then polls every `interval` seconds
until its `stop` event is set.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from schoolgate.control.activity.bypass import open_bypass_incidents
from schoolgate.control.activity.chart import UNCATEGORISED
from schoolgate.control.activity.mapping import EventRow, Malformed, encode_categories, map_record
from schoolgate.control.activity.models import DailyBlocks, FilterEvent, FilterEventCategory
from schoolgate.control.people.models import Person
from schoolgate.spool import SpoolReader
from schoolgate.spool.reader import Entry
from schoolgate.spool.records import write_atomically

READER_NAME: Final = "activity"
SQLITE_CACHE_KIB: Final = 65_536
BATCH: Final = 20_000  # records a transaction: fewer commits, each page of an index written once
SPOOL_ID_FILE: Final = "spool-id"  # in the spool's readers/ folder, beside the offsets
log = logging.getLogger("schoolgate.activity")


@dataclass
class IngestResult:
    """What one run did; every record read is counted exactly once in one of the buckets."""

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    ignored: int = 0  # kinds this store does not keep
    malformed: int = 0
    lost: int = 0  # dropped by the writer for its disk budget, or damaged on disk
    malformed_seqs: list[int] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.read += other.read
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.ignored += other.ignored
        self.malformed += other.malformed
        self.malformed_seqs.extend(other.malformed_seqs[:100])

    def summary(self) -> str:
        return (
            f"read {self.read}, stored {self.stored}, duplicates {self.duplicates}, "
            f"other kinds {self.ignored}, malformed {self.malformed}, lost {self.lost}"
        )


def spool_identity(directory: str | Path) -> str:
    """A random id kept in the spool's `readers/` folder, made by the first reader that asks.

    Sequence numbers restart at 0 in a new spool directory; the id tells the store's unique key
    that seq 0 of a replaced spool is not seq 0 of the old one.
    """
    folder = Path(directory) / "readers"
    path = folder / SPOOL_ID_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    candidate = uuid.uuid4().hex
    tmp = folder / f"{SPOOL_ID_FILE}.{os.getpid()}.{candidate[:8]}.tmp"
    write_atomically(tmp, candidate.encode())
    try:
        os.link(tmp, path)  # first writer wins; a racing reader reads the winner's id
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text(encoding="ascii").strip()


class Ingester:
    """Reads one spool directory into `FilterEvent`s."""

    def __init__(
        self, directory: str | Path, *, reader_name: str = READER_NAME, batch: int = BATCH
    ) -> None:
        self.directory = Path(directory)
        self.reader_name = reader_name
        self.batch = batch
        self.spool = spool_identity(self.directory)
        self.reader = SpoolReader(self.directory, reader_name)
        self._people: dict[str, int] = {}
        # bypass attempts in 24 hours that open an incident (activity/bypass.py); 0: never
        self.bypass_incident_after: int = getattr(settings, "SCHOOLGATE_BYPASS_INCIDENT_AFTER", 3)

    def run(self, limit: int | None = None) -> IngestResult:
        """Ingest until the spool is drained (or `limit` records were read)."""
        total = IngestResult()
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: inserting into a million rows' indexes
            # otherwise re-reads index pages from disk on every batch (1.7× the ingest rate).
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        if self.reader.position != self.reader.committed:
            # Read before but never acknowledged: the transaction it was stored in rolled back
            # (its on-commit callback was dropped), so read it again.
            self.reader = SpoolReader(self.directory, self.reader_name)
        lost_before = self.reader.lost
        while limit is None or total.read < limit:
            size = self.batch if limit is None else min(self.batch, limit - total.read)
            try:
                entries = self.reader.read(size)
                if not entries:
                    break
                total.add(self.store(entries))
            except BaseException:
                # Nothing after the last commit counts: read again from the committed offset.
                self.reader = SpoolReader(self.directory, self.reader_name)
                raise
        total.lost = self.reader.lost - lost_before
        return total

    def store(self, entries: Sequence[Entry]) -> IngestResult:
        """Map, insert and (once committed) acknowledge one batch of entries."""
        result = IngestResult(read=len(entries))
        now = time.time()
        mapped: list[tuple[int, EventRow]] = []
        for entry in entries:
            try:
                row = map_record(entry.record, now)
            except Malformed as exc:
                result.malformed += 1
                result.malformed_seqs.append(entry.seq)
                log.warning("spool seq %d: malformed record skipped: %s", entry.seq, exc)
                continue
            if row is None:
                result.ignored += 1
            else:
                mapped.append((entry.seq, row))
        next_seq = entries[-1].seq + 1
        with transaction.atomic():
            if mapped:
                seqs = [seq for seq, _ in mapped]
                seen = set(
                    FilterEvent.objects.filter(
                        spool=self.spool, seq__gte=min(seqs), seq__lte=max(seqs)
                    ).values_list("seq", flat=True)
                )
                fresh = [(seq, row) for seq, row in mapped if seq not in seen]
                result.duplicates = len(mapped) - len(fresh)
                people = self._resolve({row.user_id for _, row in fresh if row.user_id})
                store_events(
                    self.spool, [(seq, row, people.get(row.user_id)) for seq, row in fresh]
                )
                result.stored = len(fresh)
                # in this transaction: a rollback undoes the incident with the events it counts
                bypassers = {
                    pk for _, row in fresh if row.bypass and (pk := people.get(row.user_id))
                }
                open_bypass_incidents(bypassers, self.bypass_incident_after)
            transaction.on_commit(partial(self.reader.commit, next_seq))
        return result

    def _resolve(self, user_ids: set[str]) -> dict[str, int]:
        """Person pks by sourced_id; hits are remembered, misses asked again next batch (the
        roster may have caught up)."""
        missing = user_ids - self._people.keys()
        if missing:
            found = Person.objects.filter(sourced_id__in=missing).values_list("sourced_id", "pk")
            self._people.update(found)
        return self._people


# The columns `store_events` writes, in the order `row_values` gives them.
COLUMNS: Final = (
    "time", "kind", "client", "person_id", "user_id", "domain", "categories", "categories_known",
    "action", "blocked", "rule", "clause", "revision", "network", "answer", "record_type",
    "bypass", "bypass_kind", "spool", "seq",
)  # fmt: skip


def row_values(spool: str, seq: int, row: EventRow, person_id: int | None) -> tuple[object, ...]:
    """One row's values for `store_events`, in `COLUMNS` order."""
    return (
        connection.ops.adapt_datetimefield_value(row.time),
        row.kind,
        row.client,
        person_id,
        row.user_id,
        row.domain,
        encode_categories(row.categories),
        row.categories is not None,
        row.action,
        row.blocked,
        row.rule,
        row.clause,
        row.revision,
        row.network,
        row.answer,
        row.record_type,
        row.bypass,
        row.bypass_kind,
        spool,
        seq,
    )


def _executemany(sql: str, rows: Sequence[tuple[object, ...]], chunk: int = 5000) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            cursor.executemany(sql, rows[start : start + chunk])


def _insert_sql(table: str, columns: Sequence[str], conflict: str = "DO NOTHING") -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks}) ON CONFLICT {conflict}"  # noqa: S608


def store_events(spool: str, items: Sequence[tuple[int, EventRow, int | None]]) -> None:
    """Insert events (seq, row, person pk) with their category rows and add their blocks to
    the daily rollup; the caller holds the transaction and has left out stored seqs.

    Why not `bulk_create`: on SQLite it splits a batch into statements of ~49 rows (the
    bound-variable limit) and builds each through the ORM's compiler, which made it the whole
    cost of ingesting (about 2,000 events/s); one prepared INSERT run with `executemany` is an
    order of magnitude faster on SQLite and PostgreSQL alike.
    """
    if not items:
        return
    _executemany(
        _insert_sql(FilterEvent._meta.db_table, COLUMNS),
        [row_values(spool, seq, row, person) for seq, row, person in items],
    )
    seqs = [seq for seq, _, _ in items]
    ids = dict(
        FilterEvent.objects.filter(spool=spool, seq__gte=min(seqs), seq__lte=max(seqs))
        .values_list("seq", "id")
        .iterator(chunk_size=5000)
    )
    tags: list[tuple[object, ...]] = []
    blocks: Counter[tuple[dt.date, int, str]] = Counter()
    for seq, row, person in items:
        when = connection.ops.adapt_datetimefield_value(row.time)
        who = person or DailyBlocks.NOBODY
        tags.extend((ids[seq], category, when, who) for category in row.categories or ())
        if row.blocked:
            day = row.time.astimezone(dt.UTC).date()
            for whom in (who, DailyBlocks.EVERYONE):
                blocks[(day, whom, DailyBlocks.TOTAL)] += 1
                for category in row.categories or (UNCATEGORISED,):
                    blocks[(day, whom, category)] += 1
    if tags:
        columns = ("event_id", "category", "time", "person_id")
        _executemany(_insert_sql(FilterEventCategory._meta.db_table, columns), tags)
    if blocks:
        columns = ("day", "person_id", "category", "count")
        q = connection.ops.quote_name
        table = q(DailyBlocks._meta.db_table)
        key = ", ".join(q(c) for c in columns[:3])
        add = f'({key}) DO UPDATE SET "count" = {table}."count" + excluded."count"'
        rows = [
            (connection.ops.adapt_datefield_value(d), p, c, n) for (d, p, c), n in blocks.items()
        ]
        _executemany(_insert_sql(DailyBlocks._meta.db_table, columns, add), rows)


def ingest(spool_dir: str | Path, *, limit: int | None = None) -> IngestResult:
    """Drain `spool_dir` once (the `schoolgate events ingest` command without --follow)."""
    return Ingester(spool_dir).run(limit)


def follow(spool_dir: str | Path, stop: threading.Event, interval: float = 1.0) -> IngestResult:
    """Ingest `spool_dir` until `stop` is set: drain, then poll every `interval` seconds.

    Safe to run on a thread of a process that serves pages (it opens its own database
    connection and closes it on the way out). An error — the database locked or down, the
    spool unreadable — is logged and retried after `interval`; nothing is acknowledged that
    was not stored. Returns the totals when stopped.
    """
    total = IngestResult()
    ingester: Ingester | None = None
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                if ingester is None:
                    ingester = Ingester(spool_dir)
                done = ingester.run()
            except Exception:
                log.exception("activity ingest from %s failed; retrying", spool_dir)
                ingester = None
                stop.wait(interval)
                continue
            total.add(done)
            total.lost += done.lost
            if done.read == 0:
                stop.wait(interval)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return total


__all__ = [
    "COLUMNS",
    "READER_NAME",
    "IngestResult",
    "Ingester",
    "follow",
    "ingest",
    "row_values",
    "spool_identity",
    "store_events",
]
