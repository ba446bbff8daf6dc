"""Reading a spool from a committed offset, while the writer goes on appending.

A reader has a name; its offset (the sequence number of the next record it has not yet handled)
is kept in `readers/<name>.offset` and moves only when the reader calls `commit`, after it has
stored what it read elsewhere. A reader that crashes re-reads from its last commit: delivery is
at least once, and every record carries its sequence number so the receiver can de-duplicate.

Records the writer dropped to stay within its disk budget, or that were damaged on disk, are
skipped and counted in `lost`, never silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schoolgate.spool.records import SpoolError, scan, segments, write_atomically

READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    record: dict[str, Any]


class SpoolReader:
    def __init__(self, directory: str | Path, name: str = "default") -> None:
        if not name.replace("-", "").replace("_", "").isalnum():
            raise SpoolError(f"reader name {name!r} must be letters, digits, - and _")
        self.directory = Path(directory)
        self.name = name
        self._offset_file = self.directory / "readers" / f"{name}.offset"
        self.committed = self._read_offset()
        self.position = self.committed
        self.lost = 0
        self._cursor: tuple[int, int, int] | None = None  # (segment first seq, byte offset, seq)

    def _read_offset(self) -> int:
        try:
            return int(json.loads(self._offset_file.read_bytes())["next"])
        except FileNotFoundError:
            return 0
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SpoolError(f"{self._offset_file}: unreadable reader offset: {exc}") from None

    def commit(self, next_seq: int | None = None) -> None:
        """Record that everything before `next_seq` (default: all read so far) is handled."""
        value = self.position if next_seq is None else next_seq
        self._offset_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self._offset_file, json.dumps({"next": value}).encode())
        self.committed = value

    def read(self, limit: int = 1000) -> list[Entry]:
        """Up to `limit` records from the current position (empty when caught up)."""
        out: list[Entry] = []
        while len(out) < limit:
            existing = segments(self.directory)
            if not existing:
                return out
            located = self._locate(existing)
            if located is None:
                return out
            index, (_, offset, seq) = located
            first, path = existing[index]
            try:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    data = handle.read(READ_CHUNK)
            except FileNotFoundError:
                self._cursor = None  # dropped under us: locate again
                continue
            progressed = False
            for record in scan(data, seq):
                out.append(Entry(record.seq, _decode(record.payload)))
                self._cursor = (first, offset + record.end, record.seq + 1)
                self.position = record.seq + 1
                progressed = True
                if len(out) >= limit:
                    return out
            if progressed:
                continue
            if index + 1 < len(existing):
                # The writer has moved on, so this segment is complete: anything unreadable
                # before the next segment's first record was damaged on disk.
                next_first = existing[index + 1][0]
                self.lost += max(0, next_first - self.position)
                self.position = next_first
                self._cursor = (next_first, 0, next_first)
                continue
            return out
        return out

    def _locate(self, existing: list[tuple[int, Path]]) -> tuple[int, tuple[int, int, int]] | None:
        """The segment holding `position` (its index) and the byte cursor set in it."""
        firsts = [first for first, _ in existing]
        if self.position < firsts[0]:
            self.lost += firsts[0] - self.position  # dropped for the disk budget
            self.position = firsts[0]
            self._cursor = None
        cursor = self._cursor
        if cursor is not None and cursor[2] == self.position:
            if cursor[0] in firsts:
                return firsts.index(cursor[0]), cursor
            self._cursor = None
        index = max(i for i, first in enumerate(firsts) if first <= self.position)
        first, path = existing[index]
        offset, seq = 0, first
        if self.position > first:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                return None
            for record in scan(data, first):
                if record.seq >= self.position:
                    break
                offset, seq = record.end, record.seq + 1
        self._cursor = (first, offset, seq)
        self.position = seq  # past the end only after a power cut re-used numbers: re-read
        return index, self._cursor


def _decode(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"_undecodable": payload[:200].hex()}
    return value if isinstance(value, dict) else {"_value": value}


def pending(directory: str | Path, name: str = "default") -> int:
    """How many records the named reader has not committed (for monitoring)."""
    reader = SpoolReader(directory, name)
    existing = segments(Path(directory))
    if not existing:
        return 0
    first, path = existing[-1]
    last = first
    for record in scan(path.read_bytes(), first):
        last = record.seq + 1
    return max(0, last - max(reader.committed, existing[0][0]))


__all__ = ["Entry", "SpoolReader", "pending"]
