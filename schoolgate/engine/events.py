"""Events: what an enforcement point saw, in the engine's terms.

An enforcement point (the DNS filter, the mail filter, publishing review, …) turns its protocol
into one of these and asks the engine for a Decision. Facts the point could not establish are
`None` ("unknown"), never a guess: the engine then applies the rule's failure mode, so an
unavailable category index fails closed for students instead of silently allowing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Final

from schoolgate.engine.vocabulary import Channel


@dataclass(frozen=True, slots=True)
class Sanction:
    """A suspension or revocation of access, as decided by a person."""

    id: str
    scope: str
    reason: str
    start: dt.datetime | None = None
    until: dt.datetime | None = None
    decided_by: str | None = None

    def active_at(self, when: dt.datetime | None) -> bool:
        if when is None:
            return True  # unknown time: treat the sanction as in force, the safe side
        if self.start is not None and when < self.start:
            return False
        return self.until is None or when < self.until


@dataclass(frozen=True, slots=True)
class Subject:
    """Who acts: a person, a device, or just an address when nothing more is known."""

    user: str | None = None
    roles: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    grade: str | None = None
    school: str | None = None
    device: str | None = None
    address: str | None = None
    acknowledged: bool | None = None
    consents: frozenset[str] | None = None
    grants: frozenset[str] | None = None
    sanctions: tuple[Sanction, ...] = ()


@dataclass(frozen=True, slots=True)
class WebRequest:
    domain: str
    url: str | None = None
    record_type: str | None = None
    # List categories (UT1 names) of the name, from the category index; None when unavailable.
    categories: frozenset[str] | None = frozenset()


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str | None = None

    @property
    def extension(self) -> str:
        name = self.filename.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@dataclass(frozen=True, slots=True)
class EmailMessage:
    sender: str | None = None
    recipient_count: int = 1
    external_recipients: int = 0
    attachments: tuple[Attachment, ...] = ()
    sender_known: bool | None = None
    labels: Mapping[str, float] | None = field(default_factory=dict)
    findings: frozenset[str] | None = frozenset()


@dataclass(frozen=True, slots=True)
class PublishedStudent:
    id: str
    named_in_full: bool = False
    pictured: bool = False
    consents: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Publication:
    kind: str = "page"
    url: str | None = None
    students: tuple[PublishedStudent, ...] = ()
    teacher_reviewed: bool | None = None
    principal_approved: bool | None = None
    sources_cited: bool | None = None
    labels: Mapping[str, float] | None = field(default_factory=dict)
    findings: frozenset[str] | None = frozenset()


@dataclass(frozen=True, slots=True)
class DeviceConnection:
    mac: str | None = None
    personal: bool | None = None
    registered: bool | None = None
    antivirus_confirmed: bool | None = None
    network: str | None = None


@dataclass(frozen=True, slots=True)
class SoftwareInstall:
    name: str
    approved: bool | None = None
    purpose: str | None = None
    target: str | None = None
    licensed: bool | None = None


@dataclass(frozen=True, slots=True)
class AccountEvent:
    action: str
    success: bool | None = None
    shared: bool | None = None
    remember_password: bool | None = None
    owner_matches: bool | None = None


Payload = (
    WebRequest | EmailMessage | Publication | DeviceConnection | SoftwareInstall | AccountEvent
)

PAYLOAD_TYPES: Final[dict[str, type]] = {
    "web": WebRequest,
    "email": EmailMessage,
    "publication": Publication,
    "device": DeviceConnection,
    "software": SoftwareInstall,
    "account": AccountEvent,
}

# Scalar fields of each channel's payload that `attributes` conditions may test, e.g.
# `device.personal` or `software.approved`. Derived from the dataclasses, so adding a field
# makes it addressable without a second list to maintain.
ATTRIBUTE_FIELDS: Final[dict[str, frozenset[str]]] = {
    channel: frozenset(
        f.name
        for f in fields(cls)
        if str(f.type).replace(" ", "")
        in {"str", "str|None", "bool|None", "bool", "int", "int|None"}
    )
    for channel, cls in PAYLOAD_TYPES.items()
}


@dataclass(frozen=True, slots=True)
class Event:
    channel: Channel
    subject: Subject
    payload: Payload
    time: dt.datetime | None = None
    id: str | None = None
