# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Signing the policy, who still must, re-acknowledgment after material changes, reminders.

What is signed is a pack version (the SHA-256 of its canonical content) and a rendered document
(its own SHA-256). A version is *material* against the one before it when `diff_packs` says so;
then nobody's earlier signature counts and everyone in the pack's acknowledgment audience must
sign again. The snapshot tells the engine `acknowledged: true|false`, and the pack's rules decide
what an unsigned person gets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from schoolgate.control.agreements.documents import intent as intent_text
from schoolgate.control.agreements.documents import render, text_hash
from schoolgate.control.agreements.models import (
    Acknowledgment,
    PolicyDocument,
    PolicyVersion,
    Reminder,
)
from schoolgate.control.evidence.services import append
from schoolgate.control.people.models import Org, Person
from schoolgate.control.people.services import (
    AudienceMatcher,
    effective_roles,
    guardians_of,
    is_guardian_of,
    org_groups,
    schools_of,
)
from schoolgate.control.publication.services import mark_changed
from schoolgate.policy.diff import diff_packs
from schoolgate.policy.loader import LoadedPack, load_pack
from schoolgate.policy.model import Pack

log = logging.getLogger(__name__)


class SigningError(ValueError):
    """A signature that cannot be accepted; the message says why."""


def pack_hash(pack: Pack) -> str:
    """SHA-256 of the pack's canonical JSON: the identity of what people sign."""
    blob = json.dumps(pack.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _stamp(name: str) -> tuple[tuple[str, int], ...]:
    from schoolgate.policy.loader import resolve

    root = resolve(name)
    files = sorted(root.glob("*.y*ml")) if root.is_dir() else [root]
    return tuple((str(p), p.stat().st_mtime_ns) for p in files)


@lru_cache(maxsize=8)
def _load(name: str, stamp: tuple[tuple[str, int], ...]) -> LoadedPack:
    return load_pack(name)


def current_pack(name: str | None = None) -> LoadedPack:
    """The configured pack, reloaded when its files change; raises PackError if invalid."""
    name = name or settings.SCHOOLGATE_PACK
    return _load(name, _stamp(name))


def register_policy(pack: Pack, now: dt.datetime | None = None) -> PolicyVersion:
    """The PolicyVersion for `pack`, created (with its documents) the first time it is seen."""
    digest = pack_hash(pack)
    found = PolicyVersion.objects.filter(content_hash=digest).first()
    if found is not None:
        return found
    now = now or timezone.now()
    with transaction.atomic():
        previous = (
            PolicyVersion.objects.select_for_update()
            .filter(pack_id=pack.metadata.id)
            .order_by("-registered_at", "-pk")
            .first()
        )
        changes: dict[str, object] = {}
        material = True
        if previous is not None:
            diff = diff_packs(Pack.model_validate(previous.pack_json), pack)
            material, changes = diff.material, diff.to_dict()
        version = PolicyVersion.objects.create(
            pack_id=pack.metadata.id,
            version=pack.metadata.version,
            content_hash=digest,
            pack_json=pack.model_dump(mode="json"),
            registered_at=now,
            previous=previous,
            material=material,
            changes=changes,
        )
        version.baseline = version if material or previous is None else previous.baseline
        version.save(update_fields=["baseline"])
        for audience in ("staff", "student"):
            text = render(pack, audience)
            PolicyDocument.objects.create(
                policy_version=version, audience=audience, text=text, text_hash=text_hash(text)
            )
        mark_changed("policy version")
    return version


def current_policy(pack: Pack | None = None) -> PolicyVersion:
    return register_policy(pack or current_pack().pack)


def document_for(person: Person, policy: PolicyVersion) -> PolicyDocument:
    audience = "student" if person.role == "student" else "staff"
    return PolicyDocument.objects.get(policy_version=policy, audience=audience)


def sign(
    person: Person,
    *,
    typed_name: str,
    signer: Person | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    recorded_by: str = "",
    pack: Pack | None = None,
    now: dt.datetime | None = None,
) -> Acknowledgment:
    """Record `signer`'s signature of the current policy for `person` (themselves by default).

    A guardian may sign for their student. The typed name must be the signer's name on record.
    Signing again while a valid signature stands returns that signature.
    """
    pack = pack or current_pack().pack
    policy = register_policy(pack)
    signer = signer or person
    if signer.pk != person.pk and not is_guardian_of(signer, person):
        raise SigningError("only the person or their parent or guardian may sign for them")
    if " ".join(typed_name.split()).casefold() not in _names(signer):
        raise SigningError("the typed name does not match the signer's name on record")
    existing = Acknowledgment.objects.filter(
        on_behalf_of=person, policy_version__baseline=policy.baseline
    ).first()
    if existing is not None:
        return existing
    document = document_for(person, policy)
    audience = "guardian" if signer.pk != person.pk else document.audience
    statement = intent_text(audience, pack, student=person.display_name)
    with transaction.atomic():
        record = append(
            Acknowledgment(
                signer=signer,
                on_behalf_of=person,
                typed_name=" ".join(typed_name.split()),
                intent=statement,
                signed_at=now or timezone.now(),
                ip_address=ip_address,
                user_agent=user_agent[:500],
                document_hash=document.text_hash,
                recorded_by=recorded_by,
                policy_version=policy,
                document=document,
                policy_hash=policy.content_hash,
                audience=audience,
            )
        )
        mark_changed("acknowledgment")
    return record


def _names(person: Person) -> set[str]:
    given = {person.given_name, person.preferred_given_name} - {""}
    names = {f"{g} {person.family_name}" for g in given}
    names |= {f"{g} {person.middle_name} {person.family_name}" for g in given if person.middle_name}
    return {" ".join(n.split()).casefold() for n in names}


def required(pack: Pack, today: dt.date) -> dict[int, bool]:
    """person pk → True for every active person the pack's acknowledgment audience covers."""
    if pack.acknowledgment is None:
        return {}
    matcher = AudienceMatcher(pack, pack.acknowledgment)
    roles = effective_roles(today)
    groups = org_groups()
    out = {}
    for pk, grade in (
        Person.objects.filter(active=True).values_list("pk", "grade").iterator(chunk_size=10000)
    ):
        if matcher.matches(roles.get(pk, ()), groups.get(pk, ()), grade):
            out[pk] = True
    return out


def signed(policy: PolicyVersion) -> set[int]:
    """People with a signature that counts for `policy` (same baseline)."""
    return set(
        Acknowledgment.objects.filter(policy_version__baseline=policy.baseline_id).values_list(
            "on_behalf_of_id", flat=True
        )
    )


def acknowledgment_status(pack: Pack, now: dt.datetime) -> dict[int, bool]:
    """person pk → acknowledged, for the people who must sign (the snapshot's `acknowledged`)."""
    must = required(pack, now.date())
    if not must:
        return {}
    done = signed(register_policy(pack))
    return {pk: pk in done for pk in must}


@dataclass
class SchoolOutstanding:
    school: str
    required: int
    signed: int
    missing: list[Person] = field(default_factory=list)


def outstanding(pack: Pack, today: dt.date | None = None) -> list[SchoolOutstanding]:
    """Per school: how many must sign, how many have, and who has not."""
    today = today or timezone.now().date()
    must = required(pack, today)
    done = signed(register_policy(pack))
    schools = schools_of(must)
    names = dict(Org.objects.values_list("pk", "name"))
    by_school: dict[str, SchoolOutstanding] = {}
    missing_ids: dict[str, list[int]] = defaultdict(list)
    for pk in must:
        orgs: set[int | None] = set(schools.get(pk, ())) or {None}
        for org in orgs:
            name = names.get(org, "(no school)") if org else "(no school)"
            entry = by_school.setdefault(name, SchoolOutstanding(name, 0, 0))
            entry.required += 1
            if pk in done:
                entry.signed += 1
            else:
                missing_ids[name].append(pk)
    people = Person.objects.in_bulk([pk for ids in missing_ids.values() for pk in ids])
    for name, ids in missing_ids.items():
        by_school[name].missing = sorted(
            (people[pk] for pk in ids), key=lambda p: (p.family_name, p.given_name)
        )
    return sorted(by_school.values(), key=lambda s: s.school)


@dataclass
class ReminderRun:
    outstanding: int
    reminded: int
    messages: int
    skipped_recent: int
    no_address: int


def send_reminders(
    pack: Pack | None = None,
    *,
    every: dt.timedelta = dt.timedelta(days=7),
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> ReminderRun:
    """E-mail everyone who must sign and has not (students' guardians too), at most once per
    `every`. Messages go through Django's mail backend (files in the data directory by default).
    """
    pack = pack or current_pack().pack
    now = now or timezone.now()
    policy = register_policy(pack)
    must = required(pack, now.date())
    done = signed(policy)
    todo = [pk for pk in must if pk not in done]
    recent = set(
        Reminder.objects.filter(policy_version=policy, sent_at__gt=now - every).values_list(
            "person_id", flat=True
        )
    )
    due = [pk for pk in todo if pk not in recent][:limit]
    people = Person.objects.in_bulk(due)
    messages: list[EmailMessage] = []
    reminders: list[Reminder] = []
    no_address = 0
    for pk in due:
        person = people[pk]
        to = [person.email] if person.email else []
        if person.role == "student":
            to += [g.email for g in guardians_of(person) if g.email]
        if not to:
            no_address += 1
            continue
        messages.append(
            EmailMessage(
                subject=f"Please sign the {pack.metadata.title}",
                body=_reminder_body(pack, person),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=to,
            )
        )
        reminders.append(
            Reminder(person=person, policy_version=policy, sent_at=now, recipients=len(to))
        )
    if messages:
        get_connection().send_messages(messages)
    Reminder.objects.bulk_create(reminders)
    log.info("acknowledgment reminders: %d sent, %d without address", len(reminders), no_address)
    return ReminderRun(
        outstanding=len(todo),
        reminded=len(reminders),
        messages=len(messages),
        skipped_recent=len(recent.intersection(todo)),
        no_address=no_address,
    )


def _reminder_body(pack: Pack, person: Person) -> str:
    meta = pack.metadata
    return (
        f"{meta.agency} asks {person.display_name} to read and sign the {meta.title} "
        f"(version {meta.version}).\n\nUntil it is signed, access to the network may be "
        "limited as the policy provides. Sign it in the schoolgate console.\n"
    )
