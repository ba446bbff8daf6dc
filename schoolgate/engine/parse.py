"""Events from JSON-shaped data, with errors that name the offending path.

Used by `schoolgate decide`, by pack test cases and by the decision API. Hand-written rather than
framework-driven so the engine package stays free of dependencies and the messages stay precise
("subject.sanctions[0].until: not an ISO 8601 time").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from schoolgate.engine.events import (
    AccountEvent,
    Attachment,
    DeviceConnection,
    EmailMessage,
    Event,
    Payload,
    Publication,
    PublishedStudent,
    Sanction,
    SoftwareInstall,
    Subject,
    WebRequest,
)
from schoolgate.engine.vocabulary import CHANNELS, SANCTION_SCOPES, Channel

T = TypeVar("T")


class EventError(ValueError):
    """An event that cannot be understood; `path` says where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or 'event'}: {message}")
        self.path = path
        self.message = message


class _Reader:
    """Reads one JSON object, remembering which keys were used so leftovers are reported."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise EventError(path, f"expected an object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.path = path
        self.used: set[str] = set()

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, check: Callable[[object, str], T], default: T) -> T:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            return default
        return check(self.data[key], self._at(key))

    def require(self, key: str, check: Callable[[object, str], T]) -> T:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            raise EventError(self._at(key), "is required")
        return check(self.data[key], self._at(key))

    def finish(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise EventError(self._at(extra[0]), "unknown field")


def _str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise EventError(path, f"expected a string, got {type(value).__name__}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise EventError(path, f"expected true or false, got {value!r}")
    return value


def _int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EventError(path, f"expected a whole number ≥ 0, got {value!r}")
    return value


def _time(value: object, path: str) -> dt.datetime:
    text = _str(value, path)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(path, f"not an ISO 8601 time: {text!r}") from None
    if parsed.tzinfo is None:
        raise EventError(path, "the time needs a UTC offset, e.g. 2026-10-05T10:15:00-04:00")
    return parsed


def _strings(value: object, path: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise EventError(path, f"expected a list of strings, got {type(value).__name__}")
    return frozenset(_str(v, f"{path}[{i}]") for i, v in enumerate(value))


def _opt_strings(value: object, path: str) -> frozenset[str] | None:
    return _strings(value, path)


def _scores(value: object, path: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise EventError(path, "expected an object of label: score")
    out: dict[str, float] = {}
    for key, score in value.items():
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise EventError(f"{path}.{key}", f"a score is a number from 0 to 1, got {score!r}")
        out[str(key)] = float(score)
    return out


def _list_of(item: Callable[[object, str], T]) -> Callable[[object, str], tuple[T, ...]]:
    def check(value: object, path: str) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise EventError(path, f"expected a list, got {type(value).__name__}")
        return tuple(item(v, f"{path}[{i}]") for i, v in enumerate(value))

    return check


def _sanction(value: object, path: str) -> Sanction:
    r = _Reader(value, path)
    scope = r.require("scope", _str)
    if scope not in SANCTION_SCOPES:
        raise EventError(f"{path}.scope", f"unknown scope {scope!r}; one of {SANCTION_SCOPES}")
    s = Sanction(
        id=r.get("id", _str, "sanction"),
        scope=scope,
        reason=r.require("reason", _str),
        start=r.get("start", _time, None),
        until=r.get("until", _time, None),
        decided_by=r.get("decided_by", _str, None),
    )
    r.finish()
    return s


def _grade(value: object, path: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str(value, path)


def subject_from_dict(value: object, path: str = "subject") -> Subject:
    r = _Reader(value, path)
    s = Subject(
        user=r.get("user", _str, None),
        roles=r.get("roles", _strings, frozenset()),
        groups=r.get("groups", _strings, frozenset()),
        grade=r.get("grade", _grade, None),
        school=r.get("school", _str, None),
        device=r.get("device", _str, None),
        address=r.get("address", _str, None),
        acknowledged=r.get("acknowledged", _bool, None),
        consents=r.get("consents", _opt_strings, None),
        grants=r.get("grants", _opt_strings, None),
        sanctions=r.get("sanctions", _list_of(_sanction), ()),
    )
    r.finish()
    return s


def _web(r: _Reader) -> WebRequest:
    domain = r.require("domain", _str).strip().rstrip(".").lower()
    if not domain:
        raise EventError(r._at("domain"), "is empty")
    categories: frozenset[str] | None = frozenset()
    if "categories" in r.data:
        r.used.add("categories")
        raw = r.data["categories"]
        categories = None if raw is None else _strings(raw, r._at("categories"))
    return WebRequest(
        domain=domain,
        url=r.get("url", _str, None),
        record_type=r.get("record_type", _str, None),
        categories=categories,
    )


def _attachment(value: object, path: str) -> Attachment:
    if isinstance(value, str):
        return Attachment(filename=value)
    r = _Reader(value, path)
    a = Attachment(
        filename=r.require("filename", _str), content_type=r.get("content_type", _str, None)
    )
    r.finish()
    return a


def _nullable(r: _Reader, key: str, check: Callable[[object, str], T], default: T) -> T | None:
    """A field where an explicit null means "could not be determined"."""
    if key in r.data:
        r.used.add(key)
        raw = r.data[key]
        return None if raw is None else check(raw, r._at(key))
    return default


def _email(r: _Reader) -> EmailMessage:
    raw = r.data.get("recipients", 1)
    r.used.add("recipients")
    if isinstance(raw, list):
        count = len(_strings(raw, r._at("recipients")))
    else:
        count = _int(raw, r._at("recipients"))
    return EmailMessage(
        sender=r.get("sender", _str, None),
        recipient_count=count,
        external_recipients=r.get("external_recipients", _int, 0),
        attachments=r.get("attachments", _list_of(_attachment), ()),
        sender_known=r.get("sender_known", _bool, None),
        labels=_nullable(r, "labels", _scores, dict[str, float]()),
        findings=_nullable(r, "findings", _strings, frozenset[str]()),
    )


def _student(value: object, path: str) -> PublishedStudent:
    r = _Reader(value, path)
    s = PublishedStudent(
        id=r.require("id", _str),
        named_in_full=r.get("named_in_full", _bool, False),
        pictured=r.get("pictured", _bool, False),
        consents=r.get("consents", _opt_strings, None),
    )
    r.finish()
    return s


def _publication(r: _Reader) -> Publication:
    return Publication(
        kind=r.get("kind", _str, "page"),
        url=r.get("url", _str, None),
        students=r.get("students", _list_of(_student), ()),
        teacher_reviewed=r.get("teacher_reviewed", _bool, None),
        principal_approved=r.get("principal_approved", _bool, None),
        sources_cited=r.get("sources_cited", _bool, None),
        labels=_nullable(r, "labels", _scores, dict[str, float]()),
        findings=_nullable(r, "findings", _strings, frozenset[str]()),
    )


def _device(r: _Reader) -> DeviceConnection:
    return DeviceConnection(
        mac=r.get("mac", _str, None),
        personal=r.get("personal", _bool, None),
        registered=r.get("registered", _bool, None),
        antivirus_confirmed=r.get("antivirus_confirmed", _bool, None),
        network=r.get("network", _str, None),
    )


def _software(r: _Reader) -> SoftwareInstall:
    return SoftwareInstall(
        name=r.require("name", _str),
        approved=r.get("approved", _bool, None),
        purpose=r.get("purpose", _str, None),
        target=r.get("target", _str, None),
        licensed=r.get("licensed", _bool, None),
    )


def _account(r: _Reader) -> AccountEvent:
    return AccountEvent(
        action=r.require("action", _str),
        success=r.get("success", _bool, None),
        shared=r.get("shared", _bool, None),
        remember_password=r.get("remember_password", _bool, None),
        owner_matches=r.get("owner_matches", _bool, None),
    )


_PAYLOADS: dict[str, Callable[[_Reader], Payload]] = {
    "web": _web,
    "email": _email,
    "publication": _publication,
    "device": _device,
    "software": _software,
    "account": _account,
}


def event_from_dict(data: object) -> Event:
    """Build an Event from decoded JSON; raises EventError naming the bad path."""
    r = _Reader(data, "")
    channel = r.require("channel", _str)
    if channel not in CHANNELS:
        raise EventError("channel", f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    payload_reader = _Reader(r.data.get(channel, {}), channel)
    r.used.add(channel)
    payload = _PAYLOADS[channel](payload_reader)
    payload_reader.finish()
    event = Event(
        channel=cast(Channel, channel),
        subject=r.get("subject", subject_from_dict, Subject()),
        payload=payload,
        time=r.get("time", _time, None),
        id=r.get("id", _str, None),
    )
    r.finish()
    return event
