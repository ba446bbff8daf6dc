# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Deciding review requests and keeping site exceptions: the functions the console and the CLI
share. Who may approve what is checked here too (`approval_targets`), from the relationships the
scoping layer (`access/scope.py`) already knows, so a page cannot offer what a POST would refuse.

Every change marks the records changed in its own transaction, so the next snapshot carries it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from schoolgate.control.access.scope import EVERYONE_ROLES
from schoolgate.control.people.models import Enrollment, Org, Person, SchoolClass
from schoolgate.control.people.services import classes_taught_by, schools_of, students_of
from schoolgate.control.publication.services import mark_changed
from schoolgate.control.reviews.models import ReviewRequest, SiteException

DEFAULT_MAX_DAYS = 366  # when the pack has no `exceptions` setting: about one school year


class ReviewError(ValueError):
    """A decision that cannot be made; the message says why, in words for the page."""


@cache
def _bypass_names() -> frozenset[str]:
    """The names of the built-in bypass list (DoH canaries, Private Relay, DDR)."""
    from schoolgate.enforce.dns.builtin import BYPASS, load_builtins

    builtins = load_builtins()
    return frozenset(n for n, cats in builtins.categories_by_name.items() if BYPASS in cats)


def normalise_domain(text: str) -> str:
    """A host or domain as the resolver sees it (IDNA, lower case, no trailing dot), or
    ReviewError. At least two labels: an exception never opens a whole top-level domain."""
    name = text.strip().lower().rstrip(".")
    if name.startswith("*."):
        name = name[2:]
    try:
        name = name.encode("idna").decode("ascii") if name else name
    except UnicodeError:
        raise ReviewError(f"{text!r} is not a valid domain name") from None
    labels = name.split(".")
    if (
        len(labels) < 2
        or len(name) > 253
        or any(
            not label or len(label) > 63 or not label.replace("-", "").isalnum() for label in labels
        )
    ):
        raise ReviewError(f"{text!r} is not a domain name such as example.org")
    return name


def refuse_bypass(domain: str) -> None:
    """Refuse an exception for a name the built-in bypass list holds (or a name under one).

    The engine never lets an exception lift a bypass-tagged rule anyway; refusing here tells the
    approver at once instead of creating an exception that does nothing for that name.
    """
    names = _bypass_names()
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        if ".".join(labels[i:]) in names:
            raise ReviewError(
                f"{domain} is a way around the filter (schoolgate's built-in bypass list); "
                "no exception can open it"
            )


def max_days(pack_name: str | None = None) -> int:
    from schoolgate.control.agreements.services import current_pack

    setting = current_pack(pack_name).pack.exceptions
    return setting.max_days if setting is not None else DEFAULT_MAX_DAYS


def _display(person: Person | None) -> str:
    return person.display_name if person is not None else ""


# ------------------------------------------------------------------ who may approve what


@dataclass(frozen=True)
class Targets:
    """What one approver may open a site for, for one request."""

    classes: list[SchoolClass]
    person: bool
    schools: list[Org]

    @property
    def any(self) -> bool:
        return bool(self.classes or self.person or self.schools)


def approval_targets(
    approver: Person | None, roles: frozenset[str], request: ReviewRequest
) -> Targets:
    """Classes, the requester alone, or schools that `approver` may open a site for.

    Technology managers and administrators: any class, the requester, the requester's school.
    A principal: classes of their schools, the requester if at their school, those schools.
    A teacher: the requester's classes that they teach, and the requester if one of their students.
    """
    from schoolgate.control.access.scope import ACTIONS

    none = Targets([], False, [])
    requester = request.requester
    if approver is None or not roles & ACTIONS["approve-review"]:
        return none
    if requester is None:
        # The block page did not know who asked: only district-wide roles decide, for a class
        # or a school (there is no one to open it for alone).
        if not roles & EVERYONE_ROLES:
            return none
        every = SchoolClass.objects.filter(active=True).select_related("school")
        orgs = Org.objects.filter(type="school", active=True).order_by("name")
        return Targets(list(every.order_by("school__name", "title", "pk")), False, list(orgs))
    theirs = SchoolClass.objects.filter(
        enrollments__person=requester, enrollments__active=True, active=True
    ).distinct()
    if roles & EVERYONE_ROLES:
        school_ids = {requester.primary_org_id} | set(
            Enrollment.objects.filter(person=requester, active=True).values_list(
                "school_id", flat=True
            )
        )
        classes = list(
            SchoolClass.objects.filter(active=True)
            .select_related("school")
            .order_by("school__name", "title", "pk")
        )
        mine = {c.pk for c in theirs}
        classes.sort(key=lambda c: c.pk not in mine)  # the requester's own classes first
        found = list(Org.objects.filter(pk__in=school_ids - {None}).order_by("name"))
        return Targets(classes, True, found)
    classes_q = SchoolClass.objects.none()
    person = False
    schools: list[Org] = []
    if "principal" in roles:
        held = schools_of([approver.pk]).get(approver.pk, set())
        classes_q = classes_q | SchoolClass.objects.filter(school__in=held, active=True)
        at_school = (
            requester.primary_org_id in held
            or Enrollment.objects.filter(person=requester, school__in=held, active=True).exists()
        )
        if at_school:
            person = True
            schools = list(Org.objects.filter(pk__in=held).order_by("name"))
    if "teacher" in roles:
        classes_q = classes_q | (classes_taught_by(approver) & theirs)
        person = person or students_of(approver).filter(pk=requester.pk).exists()
    classes = list(
        SchoolClass.objects.filter(pk__in=classes_q.values("pk"))
        .select_related("school")
        .order_by("title", "pk")
    )
    return Targets(classes, person, schools)


# ------------------------------------------------------------------ decisions


def approve(
    request: ReviewRequest,
    *,
    by: Person,
    roles: frozenset[str],
    scope: str,
    until: dt.date,
    reason: str,
    school_class: SchoolClass | None = None,
    school: Org | None = None,
    domain: str | None = None,
    today: dt.date | None = None,
) -> SiteException:
    """Open the request's site (or `domain`, e.g. its registrable domain) for a class, the
    requester or a school, from today until `until` inclusive; the request is then approved."""
    today = today or timezone.localdate()
    name = normalise_domain(domain or request.domain)
    if not (request.domain == name or request.domain.endswith("." + name)):
        raise ReviewError(f"{name} does not cover the requested site {request.domain}")
    refuse_bypass(name)
    if request.status != "open":
        raise ReviewError(f"this request is already {request.status}")
    longest = max_days()
    if until < today:
        raise ReviewError("the end date is in the past")
    if until > today + dt.timedelta(days=longest):
        raise ReviewError(f"an exception lasts at most {longest} days; choose an earlier end date")
    if not reason.strip():
        raise ReviewError("say why the site is opened")
    targets = approval_targets(by, roles, request)
    fields: dict[str, Any] = {}
    if scope == "class":
        if school_class is None or school_class.pk not in {c.pk for c in targets.classes}:
            raise ReviewError("you may not open sites for that class")
        fields["school_class"] = school_class
    elif scope == "person":
        if not targets.person or request.requester is None:
            raise ReviewError("you may not open sites for this student")
        fields["person"] = request.requester
    elif scope == "school":
        if school is None or school.pk not in {s.pk for s in targets.schools}:
            raise ReviewError("you may not open sites for that school")
        fields["school"] = school
    else:
        raise ReviewError(f"unknown scope {scope!r}")
    now = timezone.now()
    with transaction.atomic():
        # Lock the row so two approvers cannot both approve (or approve and decline) it.
        locked = ReviewRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != "open":
            raise ReviewError(f"this request is already {locked.status}")
        exception = SiteException.objects.create(
            domain=name,
            scope=scope,
            created_by=by,
            created_by_name=_display(by),
            created_at=now,
            reason=reason.strip()[:1000],
            starts=today,
            until=until,
            **fields,
        )
        locked.status = "approved"
        locked.decided_by = by
        locked.decided_at = now
        locked.note = reason.strip()[:1000]
        locked.exception = exception
        locked.save(update_fields=["status", "decided_by", "decided_at", "note", "exception"])
        mark_changed("site exception")
    request.refresh_from_db()
    return exception


def decline(request: ReviewRequest, *, by: Person, note: str) -> ReviewRequest:
    if not note.strip():
        raise ReviewError("say why the request is declined; the student sees it")
    with transaction.atomic():
        locked = ReviewRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != "open":
            raise ReviewError(f"this request is already {locked.status}")
        locked.status = "declined"
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.note = note.strip()[:1000]
        locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    request.refresh_from_db()
    return request


def revoke(exception: SiteException, *, by: Person, reason: str) -> SiteException:
    """End an exception now (it stays in the history with who and why)."""
    if not reason.strip():
        raise ReviewError("say why the exception is revoked")
    with transaction.atomic():
        locked = SiteException.objects.select_for_update().get(pk=exception.pk)
        if locked.revoked_at is not None:
            raise ReviewError("this exception is already revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_by_name = _display(by)
        locked.revoke_reason = reason.strip()[:1000]
        locked.save(update_fields=["revoked_at", "revoked_by_name", "revoke_reason"])
        mark_changed("site exception revoked")
    exception.refresh_from_db()
    return exception


def active_exceptions(today: dt.date | None = None) -> QuerySet[SiteException]:
    """Exceptions not revoked whose last day has not passed (some may start later)."""
    today = today or timezone.localdate()
    return SiteException.objects.filter(revoked_at__isnull=True, until__gte=today)


def visible_exceptions(approver: Person | None, roles: frozenset[str]) -> QuerySet[SiteException]:
    """The active exceptions an approver may see and revoke: all for district-wide roles; a
    principal's schools; a teacher's classes, students and their own."""
    rows = active_exceptions().select_related("school_class", "person", "school")
    if approver is None:
        return rows.none()
    if roles & EVERYONE_ROLES:
        return rows
    allowed = Q(created_by=approver)
    if "principal" in roles:
        held = schools_of([approver.pk]).get(approver.pk, set())
        allowed |= (
            Q(school__in=held) | Q(school_class__school__in=held) | Q(person__primary_org__in=held)
        )
    if "teacher" in roles:
        allowed |= Q(school_class__in=classes_taught_by(approver)) | Q(
            person__in=students_of(approver)
        )
    return rows.filter(allowed)


# ------------------------------------------------------------------ the snapshot


def exceptions_for_snapshot(now: dt.datetime, tz: zoneinfo.ZoneInfo) -> list[dict[str, Any]]:
    """The records' `exceptions` section: each active exception once, with the people it covers
    (a class's enrolled students, the person, or everyone active at the school), from the start
    of its first day to the start of the day after its last, in the district's time zone."""
    today = now.astimezone(tz).date()
    rows = list(active_exceptions(today).select_related("person").order_by("pk"))
    if not rows:
        return []
    class_ids = {r.school_class_id for r in rows if r.school_class_id}
    school_ids = {r.school_id for r in rows if r.school_id}
    by_class: dict[int, set[str]] = {}
    for class_id, sid in Enrollment.objects.filter(
        school_class_id__in=class_ids, role="student", active=True, person__active=True
    ).values_list("school_class_id", "person__sourced_id"):
        by_class.setdefault(class_id, set()).add(sid)
    by_school: dict[int, set[str]] = {}
    if school_ids:
        people = Person.objects.filter(active=True).filter(
            Q(primary_org__in=school_ids) | Q(roles__org__in=school_ids, roles__active=True)
        )
        for sid, org_id in people.values_list("sourced_id", "primary_org_id").distinct():
            if org_id in school_ids:
                by_school.setdefault(org_id, set()).add(sid)
        for sid, org_id in people.filter(roles__org__in=school_ids, roles__active=True).values_list(
            "sourced_id", "roles__org_id"
        ):
            by_school.setdefault(org_id, set()).add(sid)
    out = []
    for row in rows:
        if row.scope == "class":
            users = by_class.get(row.school_class_id, set())
        elif row.scope == "school":
            users = by_school.get(row.school_id, set())
        else:
            users = {row.person.sourced_id} if row.person and row.person.active else set()
        if not users:
            continue
        start = dt.datetime.combine(row.starts, dt.time.min, tzinfo=tz)
        until = dt.datetime.combine(row.until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        out.append(
            {
                "id": str(row.pk),
                "domain": row.domain,
                "users": sorted(users),
                "start": start.isoformat(),
                "until": until.isoformat(),
                "decided_by": row.created_by_name or None,
            }
        )
    return out
