"""Spool records → event-store rows, as pure functions (no Django, no I/O).

The spool carries every kind of record the data plane writes; this store keeps filter decisions
(`dns`) and ignores the rest (a `review-request` belongs to the reviews app, which reads the
spool with its own reader). A record of a stored kind that cannot be read — a missing or
mistyped field, bytes that were not JSON — raises `Malformed`, so the ingester can skip and
count it by sequence number instead of stopping the whole feed on one bad line.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from schoolgate.enforce.dns.policy import BLOCKING_ACTIONS
from schoolgate.engine.vocabulary import ACTIONS

# Decisions older than 2000 or more than a day ahead are damage, not a clock that drifted.
EARLIEST: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC).timestamp()
AHEAD: Final = 86_400.0
KNOWN_ACTIONS: Final = frozenset(ACTIONS)
LIMITS: Final = {
    "action": 32,
    "client": 45,
    "user": 255,
    "name": 255,
    "rule": 120,
    "clause": 200,
    "revision": 64,
    "network": 80,
    "answer": 16,
    "type": 10,
    "bypass_kind": 32,
}
CATEGORIES_LIMIT: Final = 500


class Malformed(ValueError):
    """A record of a stored kind that cannot become a row; the message says which field."""


@dataclass(frozen=True, slots=True)
class EventRow:
    """What the store keeps of one decision, before a person is resolved from `user_id`."""

    time: dt.datetime
    kind: str
    client: str
    user_id: str
    domain: str
    categories: tuple[str, ...] | None  # None: the category index could not say
    action: str
    blocked: bool
    rule: str
    clause: str
    revision: str
    network: str
    answer: str
    record_type: str
    bypass: bool
    bypass_kind: str


def encode_categories(categories: Iterable[str] | None) -> str:
    """`,a,b,`: one column, and a category is found with a substring match on `,name,`."""
    if categories is None:
        return ""
    names = sorted({c for c in categories if c})
    return f",{','.join(names)}," if names else ""


def _text(record: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise Malformed(f"{key!r} is missing")
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{key!r} is not text")
    if required and not value:
        raise Malformed(f"{key!r} is empty")
    return value[: LIMITS[key]]


def _time(record: Mapping[str, Any], now: float) -> dt.datetime:
    value = record.get("time")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed("'time' is not a number")
    if not math.isfinite(value) or value < EARLIEST or value > now + AHEAD:
        raise Malformed(f"'time' {value!r} is out of range")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _categories(record: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = record.get("categories")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(c, str) and "," not in c for c in value):
        raise Malformed("'categories' is not a list of names")
    names = tuple(sorted(set(value)))
    if len(encode_categories(names)) > CATEGORIES_LIMIT:
        raise Malformed("'categories' is too long")
    return names


def map_dns(record: Mapping[str, Any], now: float) -> EventRow:
    """A resolver's query-log record (enforce/dns/handler.py `_log` + policy.py `_log_tail`)."""
    action = _text(record, "action", required=True)
    if action not in KNOWN_ACTIONS:
        raise Malformed(f"'action' {record.get('action')!r} is not an action")
    bypass = record.get("bypass", False)
    if not isinstance(bypass, bool):
        raise Malformed("'bypass' is not true or false")
    categories = _categories(record)
    return EventRow(
        time=_time(record, now),
        kind="dns",
        client=_text(record, "client"),
        user_id=_text(record, "user"),
        domain=_text(record, "name", required=True).lower().rstrip("."),
        categories=categories,
        action=action,
        blocked=action in BLOCKING_ACTIONS,
        rule=_text(record, "rule"),
        clause=_text(record, "clause"),
        revision=_text(record, "revision"),
        network=_text(record, "network"),
        answer=_text(record, "answer"),
        record_type=_text(record, "type"),
        bypass=bypass,
        bypass_kind=_text(record, "bypass_kind"),
    )


MAPPERS: Final[dict[str, Callable[[Mapping[str, Any], float], EventRow]]] = {"dns": map_dns}


def map_record(record: Mapping[str, Any], now: float) -> EventRow | None:
    """The row for a record, or None for a kind this store does not keep."""
    if "_undecodable" in record or "_value" in record:
        raise Malformed("the record is not a JSON object")
    kind = record.get("kind")
    if not isinstance(kind, str):
        raise Malformed("'kind' is missing")
    mapper = MAPPERS.get(kind)
    return mapper(record, now) if mapper is not None else None


__all__ = ["MAPPERS", "EventRow", "Malformed", "encode_categories", "map_dns", "map_record"]
