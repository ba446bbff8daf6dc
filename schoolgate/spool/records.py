"""Record framing and segment files: the on-disk format of the spool, in one place.

A segment is a file named after the sequence number of its first record (`00000000000000000042.seg`)
holding records back to back:

    0  2  magic  b"SG"
    2  1  version, 1
    3  4  payload length (little-endian u32)
    7  8  sequence number (u64), one more than the previous record's
    15 4  CRC-32 of the sequence number's 8 bytes and the payload
    19 …  payload: one UTF-8 JSON object

The CRC and the sequence number let a reader (and the writer, on start) find where the valid
records end: a torn tail left by a power cut is detected and cut off, never read as data.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MAGIC: Final = b"SG"
VERSION: Final = 1
HEADER: Final = struct.Struct("<2sBIQI")
HEADER_SIZE: Final = HEADER.size
SEQ: Final = struct.Struct("<Q")
MAX_PAYLOAD: Final = 1 << 20  # a decision record is a few hundred bytes; anything huge is damage
SEGMENT_SUFFIX: Final = ".seg"
_SEGMENT_NAME = re.compile(r"(\d{20})\.seg")


class SpoolError(RuntimeError):
    """The spool cannot be used: locked by another writer, unreadable, or not a spool."""


def frame(seq: int, payload: bytes) -> bytes:
    """One record, ready to append with a single write."""
    if len(payload) > MAX_PAYLOAD:
        raise SpoolError(f"record of {len(payload)} bytes is larger than {MAX_PAYLOAD}")
    crc = zlib.crc32(payload, zlib.crc32(SEQ.pack(seq)))
    return HEADER.pack(MAGIC, VERSION, len(payload), seq, crc) + payload


@dataclass(frozen=True, slots=True)
class Record:
    seq: int
    payload: bytes
    end: int  # offset just past this record in its segment


def scan(data: bytes, first_seq: int) -> Iterator[Record]:
    """The valid records at the start of a segment's bytes; stops at the first damaged one."""
    offset = 0
    expected = first_seq
    size = len(data)
    while offset + HEADER_SIZE <= size:
        magic, version, length, seq, crc = HEADER.unpack_from(data, offset)
        if magic != MAGIC or version != VERSION or length > MAX_PAYLOAD or seq != expected:
            return
        start = offset + HEADER_SIZE
        end = start + length
        if end > size:
            return
        payload = data[start:end]
        if zlib.crc32(payload, zlib.crc32(SEQ.pack(seq))) != crc:
            return
        yield Record(seq, payload, end)
        offset = end
        expected += 1


def segment_name(first_seq: int) -> str:
    return f"{first_seq:020d}{SEGMENT_SUFFIX}"


def segments(directory: Path) -> list[tuple[int, Path]]:
    """The spool's segment files, oldest first, as (first sequence number, path)."""
    found = []
    try:
        paths = list(directory.iterdir())
    except FileNotFoundError:
        return []
    for path in paths:
        match = _SEGMENT_NAME.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path))
    found.sort()
    return found


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a small file so a crash leaves the old or the new content, never a mix."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename, create or unlink in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
