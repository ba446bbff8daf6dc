"""A bounded cache of upstream answers that honours their TTLs.

Keyed by (name, type, class, DO bit); holds the upstream's bytes and their layout, so a hit costs
a dictionary lookup and a few in-place patches (ID, letter case, TTLs counted down). Least
recently used entries go first when the cache is full; expired ones on access. Negative answers
are cached for their SOA's TTL (RFC 2308); answers without any TTL to go by, and failures, are
not cached at all.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from schoolgate.enforce.dns.layout import Layout

NOERROR: Final = 0
NXDOMAIN: Final = 3

CacheKey = tuple[str, int, int, bool]


@dataclass(frozen=True, slots=True)
class Cached:
    wire: bytes
    layout: Layout
    stored: float
    expires: float


class ResponseCache:
    def __init__(self, max_entries: int = 100_000, max_ttl: int = 86_400) -> None:
        self.max_entries = max_entries
        self.max_ttl = max_ttl
        self._entries: OrderedDict[CacheKey, Cached] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey, now: float) -> Cached | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        if entry.expires <= now:
            del self._entries[key]
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: CacheKey, wire: bytes, lay: Layout, now: float) -> None:
        if self.max_entries <= 0 or lay.rcode not in (NOERROR, NXDOMAIN) or lay.min_ttl is None:
            return
        ttl = min(lay.min_ttl, self.max_ttl)
        if ttl <= 0:
            return
        self._entries[key] = Cached(wire, lay, now, now + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
