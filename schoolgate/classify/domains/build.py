"""Compile entries into the index file once, off the hot path, and replace the old file atomically.

All the slow work happens here: merging duplicates, deciding which rules each name carries,
hashing, sorting. The file is written beside its destination under a temporary name, synced, and
renamed over the old one, so a reader sees either the old index or the new one, never a half file,
and a failed build leaves the old index untouched.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from schoolgate.classify.domains.keys import SALT_BYTES, bucket_crc, fingerprint
from schoolgate.classify.domains.layout import (
    ACTIONS,
    FORMAT_VERSION,
    MAGIC,
    PREFIX,
    PREFIX_SIZE,
    SCOPES,
    encode_header,
    pack_rule,
    pad,
)
from schoolgate.lists.model import Action, Entry, Scope

_ACTION_NO = {Action.BLOCK: 0, Action.ALLOW: 1}
_SCOPE_NO = {Scope.SUBTREE: 0, Scope.EXACT: 1, Scope.SUBDOMAINS: 2}
_MAX_SALT_TRIES = 4


class BuildError(RuntimeError):
    """The index could not be built; nothing was written over the existing file."""


@dataclass(frozen=True)
class BuildSummary:
    """What was written: for the import report and the update log."""

    path: Path
    revision: str
    names: int
    entries: int
    duplicates: int
    size: int
    seconds: float
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


class IndexBuilder:
    """Collects entries; each distinct name keeps the set of rules it was listed with."""

    def __init__(self) -> None:
        self._rule_bits: dict[tuple[str, Action, Scope], int] = {}
        self._rules: list[tuple[str, Action, Scope]] = []
        self._set_ids: dict[int, int] = {0: 0}
        self._set_masks: list[int] = [0]
        self._names: dict[str, int] = {}
        self.entries = 0
        self.duplicates = 0

    def add(self, entry: Entry) -> None:
        key = (entry.category, entry.action, entry.scope)
        bit = self._rule_bits.get(key)
        if bit is None:
            bit = 1 << len(self._rules)
            self._rule_bits[key] = bit
            self._rules.append(key)
        self.entries += 1
        old = self._names.get(entry.name, 0)
        mask = self._set_masks[old]
        if mask & bit:
            self.duplicates += 1
            return
        mask |= bit
        set_id = self._set_ids.get(mask)
        if set_id is None:
            set_id = len(self._set_masks)
            self._set_ids[mask] = set_id
            self._set_masks.append(mask)
        self._names[entry.name] = set_id

    def add_all(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._names)

    def write(
        self,
        out: Path,
        *,
        aliases: Mapping[str, str] | None = None,
        sources: Iterable[str] = (),
        meta: Mapping[str, Any] | None = None,
        salt: bytes | None = None,
    ) -> BuildSummary:
        """Write the index to `out` (atomically); `salt` is for reproducible tests only."""
        started = time.perf_counter()
        categories = sorted({category for category, _, _ in self._rules})
        cat_no = {name: i for i, name in enumerate(categories)}
        packed = [pack_rule(cat_no[c], _ACTION_NO[a], _SCOPE_NO[s]) for c, a, s in self._rules]
        rulesets = [
            sorted(packed[i] for i in range(len(packed)) if mask >> i & 1)
            for mask in self._set_masks
        ]
        names = list(self._names)
        vals = np.fromiter(self._names.values(), dtype=np.uint32, count=len(names))
        crcs = np.fromiter(
            (bucket_crc(n.encode("ascii")) for n in names), dtype=np.uint32, count=len(names)
        )
        for _ in range(_MAX_SALT_TRIES):
            use_salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
            fps = np.fromiter(
                (fingerprint(use_salt, n.encode("ascii")) for n in names),
                dtype=np.uint64,
                count=len(names),
            )
            order = np.lexsort((fps, crcs))
            s_crc, s_fp, s_val = crcs[order], fps[order], vals[order]
            same = (s_crc[1:] == s_crc[:-1]) & (s_fp[1:] == s_fp[:-1])
            if not same.any():
                break
            if salt is not None:
                first = int(np.flatnonzero(same)[0])
                pair = names[int(order[first])], names[int(order[first + 1])]
                raise BuildError(f"fingerprint collision between {pair[0]} and {pair[1]}")
        else:
            raise BuildError("fingerprint collisions with every salt tried")

        counts = _counts(categories, rulesets, s_val)
        header: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "salt": use_salt.hex(),
            "names": len(names),
            "categories": categories,
            "rulesets": rulesets,
            "actions": list(ACTIONS),
            "scopes": list(SCOPES),
            "counts": counts,
            "aliases": dict(sorted((aliases or {}).items())),
            "sources": list(sources),
            "meta": dict(meta or {}),
        }
        revision, size = _write_file(out, header, s_crc, s_val, s_fp)
        return BuildSummary(
            path=out,
            revision=revision,
            names=len(names),
            entries=self.entries,
            duplicates=self.duplicates,
            size=size,
            seconds=time.perf_counter() - started,
            counts=counts,
        )


def build_index(
    entries: Iterable[Entry],
    out: Path,
    *,
    aliases: Mapping[str, str] | None = None,
    sources: Iterable[str] = (),
    meta: Mapping[str, Any] | None = None,
    salt: bytes | None = None,
) -> BuildSummary:
    """Compile `entries` into the index file `out` (replacing any old one atomically)."""
    builder = IndexBuilder()
    builder.add_all(entries)
    return builder.write(out, aliases=aliases, sources=sources, meta=meta, salt=salt)


def _counts(
    categories: list[str], rulesets: list[list[int]], vals: npt.NDArray[np.uint32]
) -> dict[str, dict[str, int]]:
    """Distinct names per category and action (a name listed twice in one category counts once)."""
    per_set = np.bincount(vals, minlength=len(rulesets)) if len(vals) else np.zeros(len(rulesets))
    counts: dict[str, dict[str, int]] = {}
    for set_no, rules in enumerate(rulesets):
        n = int(per_set[set_no])
        if not n:
            continue
        seen: set[tuple[int, int]] = set()
        for rule in rules:
            category, rest = divmod(rule, 6)
            action = rest // 3
            if (category, action) in seen:
                continue
            seen.add((category, action))
            slot = counts.setdefault(categories[category], {"block": 0, "allow": 0})
            slot[ACTIONS[action]] += n
    return counts


def _write_file(
    out: Path,
    header: dict[str, Any],
    crcs: npt.NDArray[np.uint32],
    vals: npt.NDArray[np.uint32],
    fps: npt.NDArray[np.uint64],
) -> tuple[str, int]:
    n = len(crcs)
    bits = max(1, (n - 1).bit_length()) if n > 1 else 1
    shift = 32 - bits
    buckets = (crcs >> np.uint32(shift)).astype(np.int64)
    directory = np.searchsorted(buckets, np.arange(2**bits + 1, dtype=np.int64)).astype("<u4")

    sections: dict[str, list[int]] = {}
    offset = 0
    blobs: list[bytes] = []
    for name, array in (
        ("dir", directory),
        ("crc", crcs.astype("<u4")),
        ("val", vals.astype("<u4")),
        ("fp", fps.astype("<u8")),
    ):
        gap = pad(offset) if array.itemsize == 8 else 0
        if gap:
            blobs.append(b"\0" * gap)
            offset += gap
        data = np.ascontiguousarray(array).tobytes()
        sections[name] = [offset, len(array)]
        blobs.append(data)
        offset += len(data)
    header = {**header, "bucket_bits": bits, "sections": sections}
    head = encode_header(header)

    digest = hashlib.sha256(head)
    for blob in blobs:
        digest.update(blob)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(PREFIX.pack(MAGIC, len(head), 0, digest.digest()))
            stream.write(head)
            for blob in blobs:
                stream.write(blob)
            stream.flush()
            os.fsync(stream.fileno())
        tmp.chmod(0o644)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(out.parent)
    return digest.hexdigest(), PREFIX_SIZE + len(head) + offset


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable (a crash after it must not bring the old name back)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
