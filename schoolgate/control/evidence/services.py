# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Appending to a hash chain and verifying one.

record_hash = SHA-256 over canonical JSON of {chain, seq, prev, fields}. Altering a record
breaks its own hash; deleting or inserting one breaks the next record's `prev` link or the
sequence; deleting the last one disagrees with the chain head and with the anchor file that is
rewritten after each commit (`<data>/chains/<name>.head`), which an auditor may also copy away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

from schoolgate.control.evidence.models import ChainedRecord, ChainHead

GENESIS = "0" * 64
R = TypeVar("R", bound=ChainedRecord)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def record_hash(record: ChainedRecord) -> str:
    body = {
        "chain": record.CHAIN,
        "seq": record.seq,
        "prev": record.prev_hash,
        "fields": {name: _value(getattr(record, name)) for name in record.CHAIN_FIELDS},
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def anchor_path(chain: str) -> Path:
    return Path(settings.DATA_DIR) / "chains" / f"{chain}.head"


def _write_anchor(chain: str, seq: int, head: str) -> None:
    path = anchor_path(chain)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{seq} {head}\n", encoding="ascii")
    tmp.replace(path)


def append(record: R) -> R:
    """Give `record` its place in its chain and save it, in the caller's transaction."""
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            name=record.CHAIN, defaults={"head_hash": GENESIS}
        )
        record.seq = head.seq + 1
        record.prev_hash = head.head_hash
        record.full_clean(exclude=["seq", "prev_hash", "record_hash"], validate_unique=False)
        record.record_hash = record_hash(record)
        record.save(force_insert=True)
        head.seq, head.head_hash = record.seq, record.record_hash
        head.save(update_fields=["seq", "head_hash", "updated_at"])
        seq, digest = record.seq, record.record_hash
        transaction.on_commit(lambda: _write_anchor(record.CHAIN, seq, digest))
    return record


@dataclass(frozen=True)
class ChainReport:
    chain: str
    records: int
    head: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(model: type[ChainedRecord], anchor: Path | None = None) -> ChainReport:
    """Walk the chain in order and report every break, by sequence number."""
    problems: list[str] = []
    expected_seq = 1
    prev = GENESIS
    count = 0
    hashes: dict[int, str] = {}
    for record in model.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if record.seq != expected_seq:
            if record.seq > expected_seq:
                gap = (
                    f"{expected_seq}"
                    if record.seq == expected_seq + 1
                    else (f"{expected_seq}–{record.seq - 1}")
                )
                problems.append(
                    f"record {gap} missing: deleted (the sequence jumps to {record.seq})"
                )
            else:
                problems.append(f"record {record.seq}: out of order")
        if record.prev_hash != prev:
            problems.append(
                f"record {record.seq}: does not follow the record before it "
                "(a record was inserted or removed here)"
            )
        actual = record_hash(record)
        if actual != record.record_hash:
            problems.append(f"record {record.seq}: content does not match its hash (altered)")
        hashes[record.seq] = record.record_hash
        prev = record.record_hash
        expected_seq = record.seq + 1
    head = ChainHead.objects.filter(name=model.CHAIN).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq, head.head_hash) != (last_seq, prev if count else GENESIS):
        problems.append(
            f"chain head says {head.seq} records ending {head.head_hash[:12]}, found {count} "
            f"ending at record {last_seq} (records added or removed at the end)"
        )
    elif head is None and count:
        problems.append("chain head is missing")
    problems += _check_anchor(anchor or anchor_path(model.CHAIN), hashes, last_seq)
    return ChainReport(model.CHAIN, count, prev, problems)


def _check_anchor(path: Path, hashes: dict[int, str], last_seq: int) -> list[str]:
    try:
        seq_text, digest = path.read_text(encoding="ascii").split()
        seq = int(seq_text)
    except (OSError, ValueError):
        return []  # no anchor yet (or none kept): the database checks stand alone
    if seq > last_seq:
        return [f"anchor {path.name} records {seq} records; the chain ends at {last_seq} (deleted)"]
    if hashes.get(seq) != digest:
        return [f"anchor {path.name}: record {seq} is not the one anchored (rewritten)"]
    return []
