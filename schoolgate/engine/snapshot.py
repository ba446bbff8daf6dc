"""The Snapshot: a compiled pack (and, later, records) that the engine decides against.

Immutable and content-addressed: its revision is the SHA-256 of its canonical JSON, so the same
pack and records always give the same revision on every machine, and every decision and log line
can name exactly what decided it. Enforcement points hold one in memory and swap in a new one
whole; nothing on the decision path touches a file or a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from schoolgate.engine.conditions import Condition, build_condition
from schoolgate.engine.events import Sanction
from schoolgate.engine.vocabulary import CHANNELS

FORMAT: Final = "schoolgate-snapshot/1"


class SnapshotError(ValueError):
    """A snapshot file that is damaged, altered or of another format."""


@dataclass(frozen=True, slots=True)
class ClauseInfo:
    id: str
    section: str
    text: str
    summary: str | None
    served: str


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    tier: str
    priority: int
    level: tuple[int, int]  # (tier rank, -priority): lower decides first
    rank: int  # position in the pack's precedence order; sorts candidate rules
    channels: frozenset[str]
    roles: frozenset[str]
    groups: frozenset[str]
    except_roles: frozenset[str]
    except_groups: frozenset[str]
    conditions: tuple[tuple[str, Condition], ...]
    action: str
    severity: str
    notify: tuple[str, ...]
    incident: bool
    failure: str | None
    tags: tuple[str, ...]
    message: str | None
    cites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DefaultRule:
    channel: str
    action: str
    cites: tuple[str, ...]
    message: str | None


@dataclass(frozen=True, slots=True)
class UserRecord:
    """What the records say about a person, compiled in by the control plane."""

    roles: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    grade: str | None = None
    acknowledged: bool | None = None
    consents: frozenset[str] | None = None
    grants: frozenset[str] | None = None
    sanctions: tuple[Sanction, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteException:
    """A site a staff member opened for some people until a date, approved from a review request.

    Compiled from the records' `exceptions` section (one entry per exception, listing the people
    it covers) into a per-person index, so the decision path asks one dict for the subject.
    """

    id: str
    domain: str  # the registrable domain or exact host; its subdomains are covered too
    start: dt.datetime
    until: dt.datetime
    decided_by: str | None = None

    def covers(self, name: str) -> bool:
        domain = self.domain
        return name == domain or name.endswith("." + domain)

    def active_at(self, when: dt.datetime | None) -> bool:
        # Unknown time: not in force. The safe side of an exception is the pack's own decision.
        return when is not None and self.start <= when < self.until


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: str
    pack_id: str
    pack_title: str
    pack_version: str
    agency: str
    timezone: zoneinfo.ZoneInfo
    clauses: Mapping[str, ClauseInfo]
    rules: Mapping[str, tuple[CompiledRule, ...]]  # by channel, in precedence order
    defaults: Mapping[str, DefaultRule]
    role_closure: Mapping[str, frozenset[str]]
    grade_groups: Mapping[str, frozenset[str]]
    failure_default: str
    failure_roles: Mapping[str, str]
    users: Mapping[str, UserRecord]
    addresses: Mapping[str, str]
    data: Mapping[str, Any] = field(repr=False)
    # Derived values the decision path asks for again and again (expanded role sets, default
    # decisions), filled on first use. Pure memoisation: it never changes what is decided.
    memo: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)
    # Site exceptions by person id (see SiteException), and what their decisions cite: the pack's
    # `exceptions` setting, or the web default's clauses when the pack has none.
    exceptions: Mapping[str, tuple[SiteException, ...]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    exception_cites: tuple[str, ...] = ()
    exception_message: str | None = None

    @property
    def exception_domains(self) -> frozenset[str]:
        """Every domain some exception opens (the DNS resolver keeps their names apart)."""
        return frozenset(e.domain for found in self.exceptions.values() for e in found)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], revision: str | None = None) -> Snapshot:
        """Compile the snapshot's data into matchers; computes the revision unless given."""
        if data.get("format") != FORMAT:
            raise SnapshotError(f"not a {FORMAT} snapshot (format {data.get('format')!r})")
        rev = revision or content_revision(data)
        try:
            return _compile(data, rev)
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            raise SnapshotError(f"snapshot data is malformed: {exc!r}") from None

    @classmethod
    def from_bytes(cls, blob: bytes) -> Snapshot:
        """Load a snapshot file's bytes, refusing any whose content does not match its revision."""
        try:
            document = json.loads(blob)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SnapshotError(f"snapshot is not JSON: {exc}") from None
        if not isinstance(document, dict) or "revision" not in document:
            raise SnapshotError("snapshot has no revision")
        claimed = document.pop("revision")
        actual = content_revision(document)
        if claimed != actual:
            raise SnapshotError(
                f"snapshot content does not match its revision ({claimed} != {actual}): "
                "altered or damaged"
            )
        return cls.from_data(document, actual)

    def to_bytes(self) -> bytes:
        return canonical_bytes({**self.data, "revision": self.revision})

    @property
    def short_revision(self) -> str:
        return self.revision[:12]


def canonical_bytes(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_revision(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()


# Conditions are tested cheapest and most selective first: most events fail on their category.
_CONDITION_ORDER: Final = (
    "categories", "domains", "attachment_types", "findings", "labels", "recipients",
    "external_recipients", "unconsented_students", "attributes", "sanctioned", "missing_consent",
    "missing_grant", "acknowledged", "during", "outside",
)  # fmt: skip


def _condition_order(item: tuple[str, object]) -> int:
    name = item[0]
    return _CONDITION_ORDER.index(name) if name in _CONDITION_ORDER else len(_CONDITION_ORDER)


def _frozen(values: Sequence[str] | None) -> frozenset[str]:
    return frozenset(values or ())


def _sanction(data: Mapping[str, Any]) -> Sanction:
    def when(key: str) -> dt.datetime | None:
        value = data.get(key)
        return dt.datetime.fromisoformat(value) if value else None

    return Sanction(
        id=str(data["id"]),
        scope=str(data["scope"]),
        reason=str(data["reason"]),
        start=when("start"),
        until=when("until"),
        decided_by=data.get("decided_by"),
    )


def _exceptions(entries: Sequence[Mapping[str, Any]]) -> dict[str, tuple[SiteException, ...]]:
    by_user: dict[str, list[SiteException]] = {}
    for entry in entries:
        exception = SiteException(
            id=str(entry["id"]),
            domain=str(entry["domain"]).lower().rstrip("."),
            start=dt.datetime.fromisoformat(entry["start"]),
            until=dt.datetime.fromisoformat(entry["until"]),
            decided_by=entry.get("decided_by"),
        )
        if exception.start.tzinfo is None or exception.until.tzinfo is None:
            raise ValueError(f"exception {exception.id}: start and until need a UTC offset")
        for user in entry["users"]:
            by_user.setdefault(str(user), []).append(exception)
    return {u: tuple(found) for u, found in by_user.items()}


def _user(data: Mapping[str, Any]) -> UserRecord:
    consents = data.get("consents")
    grants = data.get("grants")
    return UserRecord(
        roles=_frozen(data.get("roles")),
        groups=_frozen(data.get("groups")),
        grade=data.get("grade"),
        acknowledged=data.get("acknowledged"),
        consents=None if consents is None else frozenset(consents),
        grants=None if grants is None else frozenset(grants),
        sanctions=tuple(_sanction(s) for s in data.get("sanctions", ())),
    )


def _compile(data: Mapping[str, Any], revision: str) -> Snapshot:
    pack = data["pack"]
    timezone = zoneinfo.ZoneInfo(pack["timezone"])
    list_map = data["lists"]
    windows = data["windows"]
    by_channel: dict[str, list[CompiledRule]] = {c: [] for c in CHANNELS}
    specs = sorted(
        enumerate(data["rules"]),
        key=lambda p: (int(p[1]["tier_rank"]), -int(p[1]["priority"]), p[0]),
    )
    for rank, (_, spec) in enumerate(specs):
        conditions = tuple(
            (name, build_condition(name, value, list_map=list_map, windows=windows, tz=timezone))
            for name, value in sorted(spec["when"].items(), key=_condition_order)
        )
        rule = CompiledRule(
            id=spec["id"],
            tier=spec["tier"],
            priority=int(spec["priority"]),
            level=(int(spec["tier_rank"]), -int(spec["priority"])),
            rank=rank,
            channels=frozenset(spec["channels"]),
            roles=_frozen(spec["roles"]),
            groups=_frozen(spec["groups"]),
            except_roles=_frozen(spec["except_roles"]),
            except_groups=_frozen(spec["except_groups"]),
            conditions=conditions,
            action=spec["action"],
            severity=spec["severity"],
            notify=tuple(spec["notify"]),
            incident=bool(spec["incident"]),
            failure=spec["failure"],
            tags=tuple(spec["tags"]),
            message=spec["message"],
            cites=tuple(spec["cites"]),
        )
        for channel in rule.channels:
            by_channel[channel].append(rule)
    grade_groups: dict[str, set[str]] = {}
    for group_id, group in data["groups"].items():
        for grade in group["grades"]:
            grade_groups.setdefault(grade, set()).add(group_id)
    records = data.get("records", {})
    setting = data.get("exceptions") or {}
    exception_cites = tuple(setting.get("cites") or data["defaults"]["web"]["cites"])
    for cid in exception_cites:
        assert cid in data["clauses"], f"exceptions cite unknown clause {cid!r}"
    return Snapshot(
        revision=revision,
        pack_id=pack["id"],
        pack_title=pack["title"],
        pack_version=pack["version"],
        agency=pack["agency"],
        timezone=timezone,
        clauses=MappingProxyType(
            {
                cid: ClauseInfo(cid, c["section"], c["text"], c.get("summary"), c["served"])
                for cid, c in data["clauses"].items()
            }
        ),
        rules=MappingProxyType({c: tuple(rs) for c, rs in by_channel.items()}),
        defaults=MappingProxyType(
            {
                ch: DefaultRule(ch, d["action"], tuple(d["cites"]), d.get("message"))
                for ch, d in data["defaults"].items()
            }
        ),
        role_closure=MappingProxyType({r: frozenset(c) for r, c in data["roles"].items()}),
        grade_groups=MappingProxyType({g: frozenset(s) for g, s in grade_groups.items()}),
        failure_default=data["failure"]["default"],
        failure_roles=MappingProxyType(dict(data["failure"]["roles"])),
        users=MappingProxyType({u: _user(r) for u, r in records.get("users", {}).items()}),
        addresses=MappingProxyType(dict(records.get("addresses", {}))),
        data=MappingProxyType(dict(data)),
        exceptions=MappingProxyType(_exceptions(records.get("exceptions", ()))),
        exception_cites=exception_cites,
        exception_message=setting.get("message"),
    )
