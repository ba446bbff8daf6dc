"""Name → categories, from the compiled file, on the DNS hot path.

Matching rules (docs/lists.md, "Matching and exceptions"):

* A listed name matches itself and every name under it (UT1, `||name^`); `EXACT` entries (hosts
  files, `|name^`, RPZ `name`) match only themselves; `*.name` only the names under it.
* A queried name collects the block categories of every listed name that matches it, from the
  top-level label down: `a.b.example.com` gets those of `example.com` and `b.example.com`.
* An allow-exception (`@@`, `rpz-passthru.`, a UT1 `white` list) clears the block categories of
  every match at its own level or above it: the exception wins for that name and its subdomains
  over any less specific, or equally specific, block. A block listed deeper than the exception
  (more specific) still applies. So with `@@||example.com^` and `||ads.example.com^`, the name
  `example.com` is allowed, `x.ads.example.com` is blocked.

What was cleared is not lost: `Match.overridden` lists it and `Match.allowed_by` names the
exception, so the policy engine can refuse an exception it does not trust.

The lookup walks the name from its last label, one CRC-32 continuation per label; only a CRC hit in
the bucket pays for the BLAKE2b fingerprint, so an unlisted name costs a handful of array reads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import idna

from schoolgate.classify.domains.layout import (
    FORMAT_VERSION,
    MAGIC,
    PREFIX,
    PREFIX_SIZE,
    IndexFormatError,
    unpack_rule,
)

_EMPTY: frozenset[str] = frozenset()
_crc32 = zlib.crc32
_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes


class Match(NamedTuple):
    """The answer for one name.

    `categories`: block categories that apply after exceptions (empty: not blocked by any list).
    `allowed_by`: categories of the allow-exception that decided, if one did.
    `overridden`: block categories that matched but were cleared by that exception.
    `matched_suffix`: the most specific listed name that matched (`""` when nothing did).
    """

    categories: frozenset[str]
    allowed_by: frozenset[str]
    overridden: frozenset[str]
    matched_suffix: str

    @property
    def listed(self) -> bool:
        return bool(self.matched_suffix)

    @property
    def blocked(self) -> bool:
        return bool(self.categories)


NO_MATCH = Match(_EMPTY, _EMPTY, _EMPTY, "")

# Per rule set: (block, allow) when the query is the listed name, and when it is below it.
_Parts = tuple[frozenset[str], frozenset[str]]


class CategoryIndex:
    """A read-only, memory-mapped compiled index. Safe to share between threads."""

    __slots__ = (
        "_at_name",
        "_below",
        "_crc",
        "_dir",
        "_fp",
        "_map",
        "_salt",
        "_shift",
        "_val",
        "aliases",
        "categories",
        "header",
        "path",
        "revision",
        "size",
    )

    def __init__(self, path: Path, *, verify: bool = True) -> None:
        """Prefer `CategoryIndex.open(path)`."""
        if sys.byteorder != "little":
            raise IndexFormatError("the compiled index is little-endian; this machine is not")
        self.path = Path(path)
        with self.path.open("rb") as handle:  # the mapping keeps its own descriptor
            try:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:
                raise IndexFormatError(f"{self.path}: empty file, not a compiled index") from None
        try:
            self._load(verify)
        except BaseException:
            self._release()
            raise

    @classmethod
    def open(cls, path: Path | str, *, verify: bool = True) -> CategoryIndex:
        """Map the index at `path`. `verify` checks its SHA-256 (reads the whole file once)."""
        return cls(Path(path), verify=verify)

    def _load(self, verify: bool) -> None:
        mm = self._map
        where = str(self.path)
        if len(mm) < PREFIX_SIZE:
            raise IndexFormatError(f"{where}: too short to be a compiled index")
        magic, head_len, _, digest = PREFIX.unpack_from(mm, 0)
        if magic != MAGIC:
            raise IndexFormatError(f"{where}: not a schoolgate compiled index (bad magic)")
        data_start = PREFIX_SIZE + head_len
        if data_start > len(mm):
            raise IndexFormatError(f"{where}: truncated (header runs past the end)")
        if verify:
            actual = hashlib.sha256(memoryview(mm)[PREFIX_SIZE:]).digest()
            if actual != digest:
                raise IndexFormatError(f"{where}: checksum mismatch (damaged or truncated file)")
        self.revision: str = digest.hex()
        try:
            header: dict[str, Any] = json.loads(bytes(mm[PREFIX_SIZE:data_start]))
        except ValueError as exc:
            raise IndexFormatError(f"{where}: unreadable header: {exc}") from None
        if header.get("format") != FORMAT_VERSION:
            raise IndexFormatError(
                f"{where}: format {header.get('format')!r}, this version reads {FORMAT_VERSION}"
            )
        self.header = header
        self.size = len(mm)
        self._salt = bytes.fromhex(header["salt"])
        self._shift = 32 - int(header["bucket_bits"])
        view = memoryview(mm)

        def section(name: str, width: int) -> memoryview:
            offset, count = header["sections"][name]
            start = data_start + int(offset)
            end = start + int(count) * width
            if end > len(mm):
                raise IndexFormatError(f"{where}: truncated ({name} runs past the end)")
            return view[start:end]

        self._dir = section("dir", 4).cast("I")
        self._crc = section("crc", 4).cast("I")
        self._val = section("val", 4).cast("I")
        self._fp = section("fp", 8).cast("Q")
        if len(self._dir) != 2 ** int(header["bucket_bits"]) + 1:
            raise IndexFormatError(f"{where}: bucket directory has the wrong size")
        self.categories: tuple[str, ...] = tuple(header["categories"])
        self.aliases: dict[str, str] = dict(header.get("aliases", {}))
        self._at_name, self._below = _decode_rulesets(self.categories, header["rulesets"])
        if verify and len(self._val) and max(self._val) >= len(self._at_name):
            raise IndexFormatError(f"{where}: a name refers to a rule set that does not exist")
        if not verify:
            with contextlib.suppress(AttributeError, OSError):
                mm.madvise(mmap.MADV_RANDOM)  # no read-ahead: lookups touch pages at random

    # -- lookups ---------------------------------------------------------------------------

    def lookup(self, name: str) -> Match:
        """Categories for a name as text (any case, trailing dot or not, Unicode or A-labels)."""
        if not name.isascii():
            name = _to_ascii(name)
        raw = name.lower().encode("ascii")
        if raw.endswith(b"."):
            raw = raw[:-1]
        return self._match(raw)

    def lookup_wire(self, labels: Sequence[bytes]) -> Match:
        """Categories for wire labels, e.g. `dns.name.Name.labels` (the root label may be there)."""
        raw = b".".join(labels).lower()
        if raw.endswith(b"."):
            raw = raw[:-1]
        return self._match(raw)

    def lookup_bytes(self, name: bytes) -> Match:
        """Categories for a dotted ASCII name already in lower case without the trailing dot."""
        return self._match(name)

    def _match(self, raw: bytes) -> Match:
        dir_ = self._dir
        crcs = self._crc
        shift = self._shift
        crc32 = _crc32
        crc = 0
        start = len(raw) + 1  # where the suffix being tried begins; 0 means the whole name
        hits: list[tuple[int, int]] | None = None
        for label in reversed(raw.split(b".")):
            start -= len(label) + 1
            crc = crc32(label, crc)
            bucket = crc >> shift
            lo = dir_[bucket]
            hi = dir_[bucket + 1]
            while lo < hi:
                found = crcs[lo]
                if found < crc:
                    lo += 1
                    continue
                if found == crc:
                    digest = _blake2b(self._salt + raw[start:], digest_size=8).digest()
                    fp = _from_bytes(digest, "little")
                    fps = self._fp
                    while lo < hi and crcs[lo] == crc:
                        if fps[lo] == fp:
                            if hits is None:
                                hits = []
                            hits.append((start, self._val[lo]))
                            break
                        lo += 1
                break
        if hits is None:
            return NO_MATCH
        if len(hits) == 1:
            start, ruleset = hits[0]
            block, allow = self._below[ruleset] if start else self._at_name[ruleset]
            if allow:
                return Match(_EMPTY, allow, block, raw[start:].decode("ascii"))
            if block:
                return Match(block, _EMPTY, _EMPTY, raw[start:].decode("ascii"))
            return NO_MATCH
        return self._resolve(raw, hits)

    def _resolve(self, raw: bytes, hits: list[tuple[int, int]]) -> Match:
        """Apply the exception rule to the matches, walked from the top-level label down."""
        categories = _EMPTY
        overridden = _EMPTY
        allowed = _EMPTY
        decided = -1
        for start, ruleset in hits:
            block, allow = self._below[ruleset] if start else self._at_name[ruleset]
            if not block and not allow:
                continue
            decided = start
            if allow:
                overridden = overridden | categories | block
                categories = _EMPTY
                allowed = allow
            else:
                categories = categories | block
        if decided < 0:
            return NO_MATCH
        if overridden and categories:
            overridden = overridden - categories
        return Match(categories, allowed, overridden, raw[decided:].decode("ascii"))

    # -- information -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._crc)

    def canonical_category(self, name: str) -> str:
        """`porn` → `adult`: UT1's folder aliases, for policies written with either name."""
        return self.aliases.get(name, name)

    def stats(self) -> dict[str, Any]:
        header = self.header
        return {
            "path": str(self.path),
            "revision": self.revision,
            "created": header.get("created"),
            "names": len(self),
            "size": self.size,
            "categories": header.get("counts", {}),
            "aliases": self.aliases,
            "sources": header.get("sources", []),
            "meta": header.get("meta", {}),
        }

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Unmap now. Only when no other thread can still be looking up in this index."""
        self._release()

    def _release(self) -> None:
        for name in ("_dir", "_crc", "_val", "_fp"):
            view = getattr(self, name, None)
            if isinstance(view, memoryview):
                view.release()
        mapping = getattr(self, "_map", None)
        if mapping is not None:
            with contextlib.suppress(BufferError):  # a caller still holds a view: GC unmaps
                mapping.close()

    def __enter__(self) -> CategoryIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CategoryIndex({str(self.path)!r}, names={len(self)}, rev={self.revision[:12]})"


def _to_ascii(name: str) -> str:
    try:
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
        return ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in mapped.rstrip(".").split(".")
        )
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a valid domain name: {exc}") from None


def _decode_rulesets(
    categories: tuple[str, ...], rulesets: list[list[int]]
) -> tuple[list[_Parts], list[_Parts]]:
    """Precompute, per rule set, the (block, allow) category sets at the name and below it."""
    interned: dict[frozenset[str], frozenset[str]] = {}

    def intern(items: set[str]) -> frozenset[str]:
        frozen = frozenset(items)
        return interned.setdefault(frozen, frozen)

    at_name: list[_Parts] = []
    below: list[_Parts] = []
    for rules in rulesets:
        sets: list[set[str]] = [set(), set(), set(), set()]  # name-block, name-allow, below-…
        for rule in rules:
            category, action, scope = unpack_rule(int(rule))
            if category >= len(categories):
                raise IndexFormatError("a rule refers to a category that does not exist")
            cat = categories[category]
            if scope in (0, 1):
                sets[action].add(cat)
            if scope in (0, 2):
                sets[2 + action].add(cat)
        at_name.append((intern(sets[0]), intern(sets[1])))
        below.append((intern(sets[2]), intern(sets[3])))
    return at_name, below


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when the index file is replaced (inode, size, mtime), or None if absent."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
