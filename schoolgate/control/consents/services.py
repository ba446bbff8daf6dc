# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Granting and revoking consents, what is in force, what expires soon, and the history.

Records are never changed: a revocation or a renewal is a new record, so the history is the
chain itself. The consent in force for (student, consent) is the latest record, if it is a
grant that has not expired.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from schoolgate.control.agreements.services import current_pack
from schoolgate.control.consents.models import ConsentRecord
from schoolgate.control.evidence.services import append
from schoolgate.control.people.models import STAFF_ROLES, Person
from schoolgate.control.people.services import is_guardian_of
from schoolgate.control.publication.services import mark_changed
from schoolgate.policy.model import Consent, Pack


class ConsentError(ValueError):
    """A consent that cannot be recorded; the message says why."""


def statement(consent: Consent, student: Person, action: str) -> str:
    verb = "give" if action == "grant" else "withdraw"
    return (
        f"I {verb} permission for {student.display_name}: {consent.description}. I understand "
        "that typing my name below is my electronic signature."
    )


def _consent(pack: Pack, consent_id: str) -> Consent:
    for consent in pack.consents:
        if consent.id == consent_id:
            return consent
    known = ", ".join(c.id for c in pack.consents) or "none"
    raise ConsentError(f"the policy has no consent {consent_id!r} (it has: {known})")


def _check_signer(consent: Consent, student: Person, signer: Person) -> None:
    if student.role != "student":
        raise ConsentError("consents are recorded for students")
    if consent.given_by == "guardian" and not is_guardian_of(signer, student):
        raise ConsentError(f"{consent.id} is given by a parent or guardian of the student")
    if consent.given_by == "student" and signer.pk != student.pk:
        raise ConsentError(f"{consent.id} is given by the student")
    if consent.given_by == "staff" and signer.role not in STAFF_ROLES:
        raise ConsentError(f"{consent.id} is given by a staff member")


def record(
    student: Person,
    consent_id: str,
    action: str,
    *,
    signer: Person,
    typed_name: str,
    expires_at: dt.datetime | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    recorded_by: str = "",
    pack: Pack | None = None,
    now: dt.datetime | None = None,
) -> ConsentRecord:
    if action not in ("grant", "revoke"):
        raise ConsentError("action is grant or revoke")
    pack = pack or current_pack().pack
    consent = _consent(pack, consent_id)
    _check_signer(consent, student, signer)
    now = now or timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ConsentError("a consent cannot expire before it is given")
    if not typed_name.strip():
        raise ConsentError("the signer must type their name")
    text = statement(consent, student, action)
    with transaction.atomic():
        saved = append(
            ConsentRecord(
                signer=signer,
                on_behalf_of=student,
                typed_name=" ".join(typed_name.split()),
                intent=text,
                signed_at=now,
                ip_address=ip_address,
                user_agent=user_agent[:500],
                document_hash=hashlib.sha256(text.encode()).hexdigest(),
                recorded_by=recorded_by,
                pack_id=pack.metadata.id,
                consent=consent.id,
                action=action,
                expires_at=expires_at if action == "grant" else None,
            )
        )
        mark_changed("consent")
    return saved


def grant(student: Person, consent_id: str, **kwargs: object) -> ConsentRecord:
    return record(student, consent_id, "grant", **kwargs)  # type: ignore[arg-type]


def revoke(student: Person, consent_id: str, **kwargs: object) -> ConsentRecord:
    return record(student, consent_id, "revoke", **kwargs)  # type: ignore[arg-type]


def _latest(records: QuerySet[ConsentRecord]) -> dict[tuple[int, str], ConsentRecord]:
    latest: dict[tuple[int, str], ConsentRecord] = {}
    for row in records.order_by("seq").iterator(chunk_size=5000):
        latest[(row.on_behalf_of_id, row.consent)] = row
    return latest


def in_force(row: ConsentRecord, now: dt.datetime) -> bool:
    return row.action == "grant" and (row.expires_at is None or row.expires_at > now)


def state(row: ConsentRecord | None, now: dt.datetime) -> str:
    """Where a consent stands from its latest record: "not-given", "given", "withdrawn" or
    "expired" — one answer for the console's pages and the API alike."""
    if row is None:
        return "not-given"
    if in_force(row, now):
        return "given"
    return "withdrawn" if row.action == "revoke" else "expired"


def granted_consents(now: dt.datetime | None = None) -> dict[int, set[str]]:
    """student pk → consents in force: the snapshot's `consents`."""
    now = now or timezone.now()
    out: dict[int, set[str]] = defaultdict(set)
    rows = ConsentRecord.objects.only("on_behalf_of_id", "consent", "action", "expires_at", "seq")
    for (student, consent), row in _latest(rows).items():
        if in_force(row, now):
            out[student].add(consent)
    return out


def current(student: Person, now: dt.datetime | None = None) -> dict[str, ConsentRecord]:
    """consent → its latest record, for one student (granted, expired or revoked)."""
    latest = _latest(ConsentRecord.objects.filter(on_behalf_of=student))
    return {consent: row for (_, consent), row in latest.items()}


@dataclass(frozen=True)
class Expiring:
    student: Person
    consent: str
    expires_at: dt.datetime


def expiring(within: dt.timedelta, now: dt.datetime | None = None) -> list[Expiring]:
    """Consents in force now that lapse within `within` (for renewal notices)."""
    now = now or timezone.now()
    rows = (
        ConsentRecord.objects.filter(Q(expires_at__gt=now) & Q(expires_at__lte=now + within))
        .values_list("on_behalf_of_id", "consent")
        .distinct()
    )
    keys = set(rows)
    latest = _latest(ConsentRecord.objects.filter(on_behalf_of_id__in={k[0] for k in keys}))
    people = Person.objects.in_bulk({k[0] for k in keys})
    out = [
        Expiring(people[s], c, row.expires_at)
        for (s, c), row in latest.items()
        if (s, c) in keys
        and in_force(row, now)
        and row.expires_at is not None
        and row.expires_at <= now + within
    ]
    return sorted(out, key=lambda e: e.expires_at)


def history(student: Person) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(on_behalf_of=student).order_by("seq")
