"""The spool's single writer: append a record, then (and only then) let the caller act on it.

Durability, in the order things can go wrong:

* **The process dies** (kill -9, a crash) after `append` returned: nothing is lost. `append` ends
  with a `write(2)` of the whole record into the kernel's page cache, which outlives the process.
* **The machine loses power**: records written since the last fsync may be lost. The policy says
  how many: `always` fsyncs every record (slowest, loses nothing), `interval` (the default) fsyncs
  every `fsync_interval` seconds when records were written, from a thread of its own so the
  resolver never waits for the disk, and on every rotation and close: it loses at most about
  that many seconds; `never` leaves it to the kernel (~30 s on Linux).
  A torn record at the tail is found by its CRC and cut off when the writer next opens the spool.
* **The disk budget is used up**: segments are closed at `segment_bytes`; when all segments
  together exceed `max_bytes`, the oldest closed segments are deleted, read or not, and their
  records counted in `dropped.json`. Filtering never stops for lack of log space; a reader
  that fell behind sees the gap (`SpoolReader.lost`).
* **The disk itself is full or failing** (the write fails): the partial record is cut off, the
  loss is counted (`write_errors`) and the caller goes on. Enforcement does not stop because a
  log line could not be written; the count makes the loss visible.

Only one writer may hold a spool (an exclusive `flock` on `.lock`); a second gets SpoolError.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from schoolgate.spool.records import (
    SpoolError,
    frame,
    fsync_dir,
    scan,
    segment_name,
    segments,
    write_atomically,
)

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
DROPPED_FILE = "dropped.json"


class FsyncPolicy(enum.Enum):
    ALWAYS = "always"
    INTERVAL = "interval"
    NEVER = "never"


class SpoolWriter:
    """Appends records to the newest segment of a spool directory."""

    def __init__(
        self,
        directory: str | Path,
        *,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        fsync: FsyncPolicy = FsyncPolicy.INTERVAL,
        fsync_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if segment_bytes < 4096 or max_bytes < 2 * segment_bytes:
            raise SpoolError("segment_bytes must be ≥ 4096 and max_bytes ≥ 2 × segment_bytes")
        self.directory = Path(directory)
        self.segment_bytes = segment_bytes
        self.max_bytes = max_bytes
        self.fsync = fsync
        self.fsync_interval = fsync_interval
        self._clock = clock
        self.appended = 0
        self.write_errors = 0
        self._dirty = False
        self._last_sync = clock()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise SpoolError(f"{self.directory}: cannot open the spool: {exc.strerror}") from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock_fd)
            raise SpoolError(f"{self.directory}: the spool is in use by another writer") from None
        self.dropped = self._read_dropped()
        self._fd = -1
        self._fd_lock = threading.Lock()
        self._stopping = threading.Event()
        self._closing: list[int] = []
        self._open_tail()
        self._syncer: threading.Thread | None = None
        if fsync is FsyncPolicy.INTERVAL:
            self._syncer = threading.Thread(target=self._sync_loop, name="spool-fsync", daemon=True)
            self._syncer.start()

    # -- opening -----------------------------------------------------------------------------

    def _read_dropped(self) -> dict[str, int]:
        try:
            data = json.loads((self.directory / DROPPED_FILE).read_bytes())
            return {"records": int(data["records"]), "segments": int(data["segments"])}
        except (OSError, ValueError, KeyError, TypeError):
            return {"records": 0, "segments": 0}

    def _open_tail(self) -> None:
        """Open the newest segment, cutting off a torn tail; or start the first one."""
        existing = segments(self.directory)
        if not existing:
            self._start_segment(0)
            return
        first, path = existing[-1]
        data = path.read_bytes()
        last_end, next_seq = 0, first
        for record in scan(data, first):
            last_end, next_seq = record.end, record.seq + 1
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        if last_end != len(data):
            os.ftruncate(self._fd, last_end)
            os.fsync(self._fd)
        self._segment_first = first
        self._segment_size = last_end
        self.next_seq = next_seq

    def _start_segment(self, first_seq: int) -> None:
        path = self.directory / segment_name(first_seq)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
        fsync_dir(self.directory)
        self._segment_first = first_seq
        self._segment_size = 0
        self.next_seq = first_seq

    # -- appending ---------------------------------------------------------------------------

    def append(self, record: Mapping[str, Any]) -> int:
        """Append one JSON record; returns its sequence number (-1 if the disk refused it)."""
        payload = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
        return self.append_bytes(payload)

    def append_bytes(self, payload: bytes) -> int:
        """Append one record whose payload is already encoded JSON."""
        return self.append_many((payload,))

    def append_many(self, payloads: Sequence[bytes]) -> int:
        """Append records with one write; returns the last one's sequence number (-1: refused).

        A busy resolver logs a burst of answers this way before sending any of them.
        """
        seq = self.next_seq
        data = b"".join(frame(seq + i, payload) for i, payload in enumerate(payloads))
        seq += len(payloads) - 1
        try:
            written = os.write(self._fd, data)
            while written < len(data):  # regular files rarely write short; finish the record
                written += os.write(self._fd, data[written:])
        except OSError:
            self._cut_back()
            self.write_errors += len(payloads)
            return -1
        self.next_seq = seq + 1
        self._segment_size += len(data)
        self.appended += len(payloads)
        self._dirty = True
        if self.fsync is FsyncPolicy.ALWAYS:
            os.fsync(self._fd)
            self._dirty = False
        if self._segment_size >= self.segment_bytes:
            self._rotate()
        return seq

    def _cut_back(self) -> None:
        """After a failed write, remove any part of the record that reached the file."""
        with contextlib.suppress(OSError):  # if this fails too, the next open cuts it by CRC
            os.ftruncate(self._fd, self._segment_size)

    def sync(self) -> None:
        """fsync the open segment if anything was written since the last fsync."""
        with self._fd_lock:
            if self._dirty and self._fd >= 0:
                self._dirty = False
                os.fdatasync(self._fd)  # the data and its length; not the access times
        self._last_sync = self._clock()

    def _sync_loop(self) -> None:
        """The `interval` policy's thread: fsync off the caller's thread, which never waits."""
        while not self._stopping.wait(self.fsync_interval):
            try:
                self._close_rotated()
                self.sync()
            except OSError:
                self.write_errors += 1

    def _rotate(self) -> None:
        with self._fd_lock:
            if self._syncer is not None:
                self._closing.append(self._fd)  # the sync thread flushes and closes it
            else:
                if self.fsync is not FsyncPolicy.NEVER:
                    os.fsync(self._fd)
                os.close(self._fd)
            self._dirty = False
            self._start_segment(self.next_seq)
        self._enforce_budget()

    def _close_rotated(self) -> None:
        with self._fd_lock:
            closing, self._closing = self._closing, []
        for fd in closing:
            try:
                os.fdatasync(fd)
            finally:
                os.close(fd)

    def _enforce_budget(self) -> None:
        """Delete the oldest closed segments while the spool is over its byte budget."""
        existing = segments(self.directory)
        sizes = [(first, path, path.stat().st_size) for first, path in existing]
        total = sum(size for _, _, size in sizes)
        dropped_any = False
        for index, (first, path, size) in enumerate(sizes[:-1]):
            if total <= self.max_bytes:
                break
            path.unlink()
            total -= size
            self.dropped["records"] += sizes[index + 1][0] - first
            self.dropped["segments"] += 1
            dropped_any = True
        if dropped_any:
            write_atomically(self.directory / DROPPED_FILE, json.dumps(self.dropped).encode())

    def close(self) -> None:
        self._stopping.set()
        if self._syncer is not None:
            self._syncer.join()
            self._syncer = None
        self._close_rotated()
        if self._fd >= 0:
            self.sync()
            os.close(self._fd)
            self._fd = -1
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> SpoolWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
