# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Who may see whom: one function, by role and relationship, like NetBox's `restrict()`.

| role | sees |
|---|---|
| administrator, technology-manager | everyone |
| principal | people of the schools they hold the role at |
| hr | staff |
| teacher, aide, counselor | the students of the classes they teach |
| guardian | their own children |
| everyone | themself |

Roles are the person's roles in force today (roster and local); a user without a linked,
active person record sees nobody. Views never filter `Person.objects` themselves.

Classes have one door too, `visible_classes`: administrators and technology managers every
active class, a principal the classes of their schools, a teacher, aide or counselor the classes
they teach; nobody else any. Opening a class shows its students only through `visible_people`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from schoolgate.control.access.text import storable
from schoolgate.control.conduct.models import Incident
from schoolgate.control.people.models import STAFF_ROLES, Person, SchoolClass
from schoolgate.control.people.services import (
    classes_taught_by,
    effective_roles,
    schools_of,
    students_of,
)

# Why a record is read; each log entry names one.
PURPOSES = {
    "directory": "listing people and their acknowledgment and consent status",
    "record": "reading one person's record",
    "signing": "signing the acceptable use agreement",
    "consent": "giving or withdrawing a guardian consent",
    "sanction": "deciding or reviewing a sanction",
    "dashboard": "counting outstanding signatures and active sanctions",
    "incident": "reading or opening an incident about a person",
    "activity": "reading the filter's event log of the people one may see",
    "review": "reading or deciding a request to open a blocked site",
}
EVERYONE_ROLES = frozenset({"administrator", "technology-manager"})
CLASS_ROLES = frozenset({"teacher", "aide", "counselor"})

# What a role may do beyond reading, checked by `may`.
ACTIONS = {
    "suspend": frozenset({"principal", "administrator"}),
    "review-access-log": frozenset({"administrator"}),
    # Incidents are conduct records: for those who decide sanctions and the technology manager
    # who investigates policy events; not teachers (docs/console.md, "Incidents").
    "handle-incidents": frozenset({"principal", "administrator", "technology-manager"}),
    "import-roster": frozenset({"administrator", "technology-manager"}),
    # Unbinding a provider account lets the claim alone name the person again at the next
    # sign-in: it decides who can sign in as whom, so administrators only (as the CLI).
    "manage-sign-in": frozenset({"administrator"}),
    # Opening a blocked site from a review request (a site exception); a teacher only for the
    # classes they teach and their own students, a principal for their schools
    # (reviews/services.py `approval_targets`).
    "approve-review": frozenset({"teacher", "principal", "technology-manager", "administrator"}),
    # The class pages (a class's students and their filter activity): exactly the roles
    # `visible_classes` gives classes to, so a role allowed the list never finds it empty by
    # rule, and a role refused it has no class to open either.
    "see-classes": EVERYONE_ROLES | CLASS_ROLES | {"principal"},
}


@dataclass(frozen=True)
class Viewer:
    """The person behind a signed-in user and their roles today."""

    person: Person | None
    roles: frozenset[str]


def viewer(user: AbstractBaseUser | AnonymousUser, today: dt.date | None = None) -> Viewer:
    if not user.is_authenticated:
        return Viewer(None, frozenset())
    account = getattr(user, "account", None)
    person = account.person if account is not None else None
    if person is None or not person.active:
        return Viewer(None, frozenset())
    today = today or timezone.localdate()
    return Viewer(person, frozenset(effective_roles(today, [person.pk]).get(person.pk, set())))


def visible_people(
    user: AbstractBaseUser | AnonymousUser, purpose: str, today: dt.date | None = None
) -> QuerySet[Person]:
    """The active people `user` may see for `purpose`; the only door to people in the console."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}; one of {', '.join(PURPOSES)}")
    who = viewer(user, today)
    me = who.person
    if me is None:
        return Person.objects.none()
    active = Person.objects.filter(active=True)
    if who.roles & EVERYONE_ROLES:
        return active
    allowed = Q(pk=me.pk)
    if "principal" in who.roles:
        schools = schools_of([me.pk]).get(me.pk, set())
        allowed |= Q(primary_org__in=schools) | Q(roles__org__in=schools, roles__active=True)
    if "hr" in who.roles:
        allowed |= Q(role__in=STAFF_ROLES)
    if who.roles & CLASS_ROLES:
        allowed |= Q(pk__in=students_of(me).values("pk"))
    if "guardian" in who.roles:
        allowed |= Q(guardians__guardian=me, guardians__active=True)
    return active.filter(pk__in=Person.objects.filter(allowed).values("pk"))


def visible_person(
    user: AbstractBaseUser | AnonymousUser, sourced_id: str, purpose: str
) -> Person | None:
    """One person by id if `user` may see them for `purpose` (None either way otherwise, so a
    caller cannot tell "hidden" from "absent"). An id no row can hold (a NUL byte) is absent
    without a query: on PostgreSQL the query itself would fail."""
    people = visible_people(user, purpose)
    if not storable(sourced_id):
        return None
    return people.filter(sourced_id=sourced_id).first()


def visible_classes(
    user: AbstractBaseUser | AnonymousUser, today: dt.date | None = None
) -> QuerySet[SchoolClass]:
    """The active classes `user` may open; the only door to classes in the console.

    Administrators and technology managers: every class; a principal: the classes held at their
    schools (`schools_of`, as `visible_people` reads them); a teacher, aide or counselor: the
    classes they teach (an active teacher, aide or proctor enrollment, `classes_taught_by` — the
    same classes whose students `visible_people` gives them); the union for several roles; the
    other roles (student, guardian, hr) none. Keep it in step with ACTIONS["see-classes"]."""
    who = viewer(user, today)
    me = who.person
    if me is None:
        return SchoolClass.objects.none()
    active = SchoolClass.objects.filter(active=True)
    if who.roles & EVERYONE_ROLES:
        return active
    allowed: list[Q] = []
    if "principal" in who.roles:
        allowed.append(Q(school__in=schools_of([me.pk]).get(me.pk, set())))
    if who.roles & CLASS_ROLES:
        allowed.append(Q(pk__in=classes_taught_by(me).values("pk")))
    if not allowed:
        return SchoolClass.objects.none()
    return active.filter(reduce(or_, allowed))


def visible_incidents(
    user: AbstractBaseUser | AnonymousUser, today: dt.date | None = None
) -> QuerySet[Incident]:
    """Incidents `user` may read: none without `handle-incidents`; else those about the people
    they may see for `incident`, and (administrators, technology managers) those about nobody
    the filter could name."""
    who = viewer(user, today)
    if not who.roles & ACTIONS["handle-incidents"]:
        return Incident.objects.none()
    allowed = Q(subject__in=visible_people(user, "incident", today))
    if who.roles & EVERYONE_ROLES:
        allowed |= Q(subject__isnull=True)
    return Incident.objects.filter(allowed)


def may(user: AbstractBaseUser | AnonymousUser, action: str) -> bool:
    """Whether `user`'s roles allow `action` (see ACTIONS); whom to is still `visible_people`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return bool(viewer(user).roles & ACTIONS[action])
