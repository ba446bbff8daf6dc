"""Rule conditions, compiled once per snapshot and tested once per event.

Each condition answers with Evidence (met, and why), None (not met) or Evidence marked
`unknown` (the fact it needs is missing: the rule's failure mode decides). Conditions are built
from the snapshot's data by `build_condition`; the decision path only calls `test`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from schoolgate.engine.events import (
    EmailMessage,
    Event,
    Publication,
    Sanction,
    WebRequest,
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What made a condition hold (or what could not be checked, when `unknown`)."""

    kind: str
    detail: str
    value: str = ""
    unknown: bool = False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "detail": self.detail, "value": self.value}
        if self.unknown:
            out["unknown"] = True
        return out


@dataclass(frozen=True, slots=True)
class Facts:
    """What the engine knows about one event's subject, after merging in the snapshot's records."""

    event: Event
    roles: frozenset[str]
    groups: frozenset[str]
    acknowledged: bool | None
    consents: frozenset[str] | None
    grants: frozenset[str] | None
    sanctions: tuple[Sanction, ...]


Result = Evidence | None


class Condition(Protocol):
    def test(self, facts: Facts) -> Result: ...


def _unknown(kind: str, detail: str) -> Evidence:
    return Evidence(kind=kind, detail=detail, unknown=True)


class Categories:
    __slots__ = ("by_list", "lists")

    def __init__(self, categories: Sequence[str], list_map: Mapping[str, Sequence[str]]) -> None:
        wanted = set(categories)
        # list category -> the wanted policy categories it belongs to
        self.by_list = {
            name: tuple(c for c in cats if c in wanted)
            for name, cats in list_map.items()
            if any(c in wanted for c in cats)
        }
        self.lists = frozenset(self.by_list)

    def test(self, facts: Facts) -> Result:
        payload = facts.event.payload
        assert isinstance(payload, WebRequest)
        found = payload.categories
        if found is None:
            return _unknown("category", "the category of the name could not be looked up")
        if self.lists.isdisjoint(found):
            return None
        hit = min(self.lists.intersection(found))
        policy = self.by_list[hit][0]
        return Evidence("category", f"in the category '{policy}' (list {hit})", policy)


class Domains:
    __slots__ = ("names",)

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(n.lower().rstrip(".") for n in names)

    def test(self, facts: Facts) -> Result:
        payload = facts.event.payload
        assert isinstance(payload, WebRequest)
        name = payload.domain
        while True:
            if name in self.names:
                return Evidence("domain", f"the name is listed as {name!r}", name)
            dot = name.find(".")
            if dot < 0:
                return None
            name = name[dot + 1 :]


def _text_payload(facts: Facts) -> EmailMessage | Publication:
    payload = facts.event.payload
    assert isinstance(payload, EmailMessage | Publication)
    return payload


class Labels:
    __slots__ = ("thresholds",)

    def __init__(self, thresholds: Mapping[str, float]) -> None:
        self.thresholds = tuple(sorted(thresholds.items()))

    def test(self, facts: Facts) -> Result:
        scores = _text_payload(facts).labels
        if scores is None:
            return _unknown("label", "the text could not be classified")
        for label, threshold in self.thresholds:
            score = scores.get(label)
            if score is not None and score >= threshold:
                return Evidence(
                    "label",
                    f"classified as '{label}' with score {score:.2f} (≥ {threshold})",
                    label,
                )
        return None


class Findings:
    __slots__ = ("kinds",)

    def __init__(self, kinds: Sequence[str]) -> None:
        self.kinds = frozenset(kinds)

    def test(self, facts: Facts) -> Result:
        found = _text_payload(facts).findings
        if found is None:
            return _unknown("finding", "the text could not be scanned")
        hits = sorted(self.kinds.intersection(found))
        if not hits:
            return None
        return Evidence("finding", f"the text contains: {', '.join(hits)}", hits[0])


class Recipients:
    """How many people a message goes to (all of them, or only those outside the district)."""

    __slots__ = ("external", "high", "low")

    def __init__(self, low: int | None, high: int | None, external: bool = False) -> None:
        self.low, self.high, self.external = low, high, external

    def test(self, facts: Facts) -> Result:
        payload = facts.event.payload
        assert isinstance(payload, EmailMessage)
        n = payload.external_recipients if self.external else payload.recipient_count
        if self.low is not None and n < self.low:
            return None
        if self.high is not None and n > self.high:
            return None
        who = "recipients outside the district" if self.external else "recipients"
        return Evidence("recipients", f"sent to {n} {who}", str(n))


class AttachmentTypes:
    __slots__ = ("extensions",)

    def __init__(self, extensions: Sequence[str]) -> None:
        self.extensions = frozenset(e.lower().lstrip(".") for e in extensions)

    def test(self, facts: Facts) -> Result:
        payload = facts.event.payload
        assert isinstance(payload, EmailMessage)
        for attachment in payload.attachments:
            if attachment.extension in self.extensions:
                return Evidence(
                    "attachment",
                    f"an attachment is a .{attachment.extension} file",
                    attachment.extension,
                )
        return None


class UnconsentedStudents:
    """A student shown in a publication lacks a consent the way they are shown requires."""

    __slots__ = ("consents",)

    def __init__(self, consents: Sequence[str]) -> None:
        self.consents = frozenset(consents)

    def test(self, facts: Facts) -> Result:
        payload = facts.event.payload
        assert isinstance(payload, Publication)
        unknown = False
        for student in payload.students:
            needed = {"publish-work"}
            if student.named_in_full:
                needed.add("publish-full-name")
            if student.pictured:
                needed.add("publish-photo")
            needed &= self.consents
            if not needed:
                continue
            if student.consents is None:
                unknown = True
                continue
            missing = sorted(needed - student.consents)
            if missing:
                return Evidence(
                    "consent",
                    f"student {student.id} has no guardian consent for {', '.join(missing)}",
                    missing[0],
                )
        if unknown:
            return _unknown("consent", "a student's consents are not known")
        return None


class Window:
    __slots__ = ("days", "end", "inside", "name", "start", "tz")

    def __init__(
        self, name: str, days: Sequence[str], start: str, end: str, inside: bool, tz: dt.tzinfo
    ) -> None:
        order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        self.name = name
        self.tz = tz
        self.days = frozenset(order.index(d) for d in days)
        self.start = int(start[:2]) * 60 + int(start[3:])
        self.end = int(end[:2]) * 60 + int(end[3:])
        self.inside = inside

    def _open(self, when: dt.datetime) -> bool:
        minute = when.hour * 60 + when.minute
        if self.start < self.end:
            return when.weekday() in self.days and self.start <= minute < self.end
        # overnight: opens on a listed day and runs past midnight
        if minute >= self.start:
            return when.weekday() in self.days
        return minute < self.end and (when.weekday() - 1) % 7 in self.days

    def test(self, facts: Facts) -> Result:
        when = facts.event.time
        if when is None:
            return _unknown("time", "the time of the event is not known")
        if self._open(when.astimezone(self.tz)) != self.inside:
            return None
        where = "during" if self.inside else "outside"
        return Evidence("time", f"{where} {self.name}", self.name)


class Acknowledged:
    __slots__ = ("wanted",)

    def __init__(self, wanted: bool) -> None:
        self.wanted = wanted

    def test(self, facts: Facts) -> Result:
        if facts.acknowledged is None:
            return _unknown("acknowledgment", "whether the policy was signed is not known")
        if facts.acknowledged != self.wanted:
            return None
        said = "has signed" if self.wanted else "has not signed"
        return Evidence(
            "acknowledgment", f"the user {said} the current policy", str(self.wanted).lower()
        )


class MissingConsent:
    __slots__ = ("consents",)

    def __init__(self, consents: Sequence[str]) -> None:
        self.consents = tuple(sorted(consents))

    def test(self, facts: Facts) -> Result:
        if facts.consents is None:
            return _unknown("consent", "the user's consents are not known")
        for consent in self.consents:
            if consent not in facts.consents:
                return Evidence("consent", f"no consent on file for {consent}", consent)
        return None


class MissingGrant:
    __slots__ = ("grants",)

    def __init__(self, grants: Sequence[str]) -> None:
        self.grants = tuple(sorted(grants))

    def test(self, facts: Facts) -> Result:
        if facts.grants is None:
            return _unknown("permission", "the user's permissions are not known")
        for grant in self.grants:
            if grant not in facts.grants:
                return Evidence("permission", f"no permission on file for {grant}", grant)
        return None


class Sanctioned:
    __slots__ = ("scopes",)

    def __init__(self, scopes: Sequence[str]) -> None:
        self.scopes = frozenset(scopes) | {"all"}

    def test(self, facts: Facts) -> Result:
        for sanction in facts.sanctions:
            if sanction.scope in self.scopes and sanction.active_at(facts.event.time):
                until = f" until {_moment(sanction.until, facts)}" if sanction.until else ""
                return Evidence(
                    "sanction",
                    f"{sanction.scope} access is suspended{until}: {sanction.reason}",
                    sanction.id,
                )
        return None


def _moment(when: dt.datetime, facts: Facts) -> str:
    """A time as a reader of a block page wants it: minutes, in the event's zone, named."""
    zone = facts.event.time.tzinfo if facts.event.time is not None else None
    if zone is not None and when.tzinfo is not None:
        when = when.astimezone(zone)
    return when.strftime("%Y-%m-%d %H:%M %Z").rstrip()


class Attributes:
    __slots__ = ("expected",)

    def __init__(self, expected: Mapping[str, object]) -> None:
        pairs = []
        for path, value in sorted(expected.items()):
            field = path.partition(".")[2]
            values = frozenset(value) if isinstance(value, list) else frozenset([value])
            pairs.append((path, field, values))
        self.expected = tuple(pairs)

    def test(self, facts: Facts) -> Result:
        """All fields must match; a field known not to match outweighs one that is unknown."""
        payload = facts.event.payload
        unknown: list[str] = []
        shown: list[str] = []
        for path, field, values in self.expected:
            actual = getattr(payload, field, None)
            if actual is None:
                unknown.append(path)
            elif actual not in values:
                return None
            else:
                shown.append(f"{path} is {_show(actual)}")
        if unknown:
            return _unknown("attribute", f"{', '.join(unknown)} not known")
        return Evidence("attribute", "; ".join(shown), shown[-1].rsplit(" ", 1)[-1])


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def build_condition(
    name: str,
    spec: object,
    *,
    list_map: Mapping[str, Sequence[str]],
    windows: Mapping[str, Mapping[str, object]],
    tz: dt.tzinfo,
) -> Condition:
    """One compiled condition from its snapshot form."""
    if name == "categories":
        return Categories(_strs(spec), list_map)
    if name == "domains":
        return Domains(_strs(spec))
    if name == "labels":
        assert isinstance(spec, Mapping)
        return Labels({str(k): float(v) for k, v in spec.items()})
    if name == "findings":
        return Findings(_strs(spec))
    if name in ("recipients", "external_recipients"):
        assert isinstance(spec, Mapping)
        return Recipients(spec.get("min"), spec.get("max"), external=name == "external_recipients")
    if name == "attachment_types":
        return AttachmentTypes(_strs(spec))
    if name == "unconsented_students":
        return UnconsentedStudents(_strs(spec))
    if name in ("during", "outside"):
        assert isinstance(spec, str)
        w = windows[spec]
        return Window(spec, _strs(w["days"]), str(w["start"]), str(w["end"]), name == "during", tz)
    if name == "acknowledged":
        assert isinstance(spec, bool)
        return Acknowledged(spec)
    if name == "missing_consent":
        return MissingConsent(_strs(spec))
    if name == "missing_grant":
        return MissingGrant(_strs(spec))
    if name == "sanctioned":
        return Sanctioned(_strs(spec))
    if name == "attributes":
        assert isinstance(spec, Mapping)
        return Attributes(spec)
    raise ValueError(f"unknown condition {name!r}")


def _strs(spec: object) -> list[str]:
    assert isinstance(spec, list)
    return [str(s) for s in spec]
