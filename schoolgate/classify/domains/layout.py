"""The compiled index file, byte by byte (docs/lists.md has the same description for people).

    0   8   magic  b"SGIDX\\0\\0\\1"
    8   4   header length H (little-endian u32)
    12  4   reserved, zero
    16  32  SHA-256 of every byte from offset 48 to the end: the index's revision
    48  H   header, UTF-8 JSON, padded with spaces to a multiple of 8
    ... sections (offsets in the header are relative to 48 + H), little-endian:
        dir  u32 x (2**bits + 1)  start of each CRC bucket in the columns below
        crc  u32 x n              bucket CRC of each name, ascending
        val  u32 x n              rule-set number of each name
        fp   u64 x n              fingerprint of each name (8-byte aligned)

Everything a lookup touches is in flat arrays, so opening the file is an `mmap` and a JSON parse of
a few kilobytes; pages are read on first use and stay shared and evictable.
"""

from __future__ import annotations

import json
import struct
from typing import Any

MAGIC = b"SGIDX\x00\x00\x01"
FORMAT_VERSION = 1
PREFIX = struct.Struct("<8sII32s")
PREFIX_SIZE = PREFIX.size  # 48
ALIGN = 8

# A rule is a (category, action, scope) triple packed in an int: category * 6 + action * 3 + scope.
ACTIONS = ("block", "allow")
SCOPES = ("subtree", "exact", "subdomains")


class IndexFormatError(ValueError):
    """The file is not a compiled index this version can read, or it is damaged."""


def pack_rule(category: int, action: int, scope: int) -> int:
    return category * 6 + action * 3 + scope


def unpack_rule(rule: int) -> tuple[int, int, int]:
    category, rest = divmod(rule, 6)
    action, scope = divmod(rest, 3)
    return category, action, scope


def encode_header(header: dict[str, Any]) -> bytes:
    raw = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return raw + b" " * (-len(raw) % ALIGN)


def pad(offset: int) -> int:
    return -offset % ALIGN
