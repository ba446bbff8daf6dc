"""A bounded memo with O(1) eviction: two generations of plain dicts.

New entries go into the young generation; when it is full it becomes the old one and the previous
old one is dropped whole. A hit in the old generation is moved back into the young one, so what
is used stays. (Evicting one by one with `next(iter(d))` looks O(1) but is not: deleted slots at
the front of a dict make every such call scan them, which measured 40 µs per query in bench/dns.)
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    __slots__ = ("_half", "_old", "_young")

    def __init__(self, limit: int) -> None:
        self._half = max(1, limit // 2)
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        found = self._young.get(key)
        if found is None:
            found = self._old.pop(key, None)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: K, value: V) -> None:
        young = self._young
        if len(young) >= self._half:
            self._old = young
            young = self._young = {}
        young[key] = value

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def clear(self) -> None:
        self._young = {}
        self._old = {}
