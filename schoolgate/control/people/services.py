# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""People: effective roles and groups, hand-made people and roles, and who relates to whom."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet

from schoolgate.control.people.models import (
    ROLES,
    Enrollment,
    GuardianLink,
    Org,
    Person,
    PersonRole,
    SchoolClass,
)
from schoolgate.control.publication.services import mark_changed
from schoolgate.policy.model import Audience, Pack


def effective_roles(today: dt.date, people: Iterable[int] | None = None) -> dict[int, set[str]]:
    """person pk → schoolgate roles in force today (roster and local), plus `Person.role`."""
    out: dict[int, set[str]] = defaultdict(set)
    current = (
        PersonRole.objects.filter(active=True)
        .exclude(role="")
        .filter(
            Q(begin_date__isnull=True) | Q(begin_date__lte=today),
            Q(end_date__isnull=True) | Q(end_date__gte=today),
        )
    )
    persons = Person.objects.filter(active=True)
    if people is not None:
        ids = list(people)
        current = current.filter(person_id__in=ids)
        persons = persons.filter(pk__in=ids)
    for person_id, role in current.values_list("person_id", "role").iterator(chunk_size=10000):
        out[person_id].add(role)
    for person_id, role in persons.values_list("pk", "role").iterator(chunk_size=10000):
        if role:
            out[person_id].add(role)
    return out


def org_groups(people: Iterable[int] | None = None) -> dict[int, set[str]]:
    """person pk → pack groups of the orgs they hold active roles at (`Org.group`)."""
    out: dict[int, set[str]] = defaultdict(set)
    rows = PersonRole.objects.filter(active=True, org__group__gt="")
    if people is not None:
        rows = rows.filter(person_id__in=list(people))
    for person_id, group in rows.values_list("person_id", "org__group").iterator(chunk_size=10000):
        out[person_id].add(group)
    return out


def schools_of(people: Iterable[int] | None = None) -> dict[int, set[int]]:
    """person pk → org pks they belong to (primary org and orgs of active roles)."""
    out: dict[int, set[int]] = defaultdict(set)
    rows = PersonRole.objects.filter(active=True, org__isnull=False)
    persons = Person.objects.filter(primary_org__isnull=False)
    if people is not None:
        ids = list(people)
        rows, persons = rows.filter(person_id__in=ids), persons.filter(pk__in=ids)
    for person_id, org_id in rows.values_list("person_id", "org_id").iterator(chunk_size=10000):
        out[person_id].add(org_id)
    for person_id, org_id in persons.values_list("pk", "primary_org_id").iterator(chunk_size=10000):
        out[person_id].add(org_id)
    return out


class AudienceMatcher:
    """Whether a person is in a pack Audience, as the engine would judge it."""

    def __init__(self, pack: Pack, audience: Audience) -> None:
        parents = {r.id: set(r.kind_of) for r in pack.roles}
        self.closure: dict[str, set[str]] = {}
        for role in parents:
            seen, frontier = {role}, set(parents[role])
            while frontier:
                seen |= frontier
                frontier = {p for f in frontier for p in parents.get(f, ()) if p not in seen}
            self.closure[role] = seen
        self.grade_groups: dict[str, set[str]] = defaultdict(set)
        for group in pack.groups:
            for grade in group.grades:
                self.grade_groups[grade].add(group.id)
        self.audience = audience

    def expand(self, roles: Iterable[str]) -> set[str]:
        return set().union(*(self.closure.get(r, {r}) for r in roles)) if roles else set()

    def matches(self, roles: Iterable[str], groups: Iterable[str], grade: str = "") -> bool:
        a = self.audience
        expanded = self.expand(roles)
        all_groups = set(groups) | self.grade_groups.get(grade, set())
        if a.roles and expanded.isdisjoint(a.roles):
            return False
        if a.except_roles and not expanded.isdisjoint(a.except_roles):
            return False
        if a.groups and all_groups.isdisjoint(a.groups):
            return False
        return not (a.except_groups and not all_groups.isdisjoint(a.except_groups))


def add_person(
    given_name: str,
    family_name: str,
    role: str,
    *,
    username: str = "",
    email: str = "",
    grade: str = "",
    school: Org | None = None,
) -> Person:
    """A person schoolgate knows but the roster does not (a volunteer, a contractor)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    with transaction.atomic():
        person = Person.objects.create(
            sourced_id=f"local:{uuid.uuid4()}",
            source="local",
            given_name=given_name,
            family_name=family_name,
            role=role,
            username=username,
            email=email,
            grade=grade,
            primary_org=school,
        )
        PersonRole.objects.create(person=person, role=role, org=school, source="local")
        mark_changed("person added")
    return person


def assign_role(person: Person, role: str, org: Org | None = None) -> PersonRole:
    """Give a local role (hr, technology-manager) that roster imports leave alone."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    with transaction.atomic():
        found, _ = PersonRole.objects.update_or_create(
            person=person, role=role, org=org, source="local", defaults={"active": True}
        )
        mark_changed("role assigned")
    return found


def link_guardian(guardian: Person, student: Person) -> GuardianLink:
    if guardian.role != "guardian" or student.role != "student":
        raise ValueError("a guardian link joins a guardian to a student")
    link, _ = GuardianLink.objects.update_or_create(
        guardian=guardian, student=student, defaults={"active": True, "source": "local"}
    )
    return link


def guardians_of(student: Person) -> QuerySet[Person]:
    return Person.objects.filter(wards__student=student, wards__active=True, active=True).distinct()


def is_guardian_of(guardian: Person, student: Person) -> bool:
    return GuardianLink.objects.filter(guardian=guardian, student=student, active=True).exists()


def classes_taught_by(teacher: Person) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(
        enrollments__person=teacher,
        enrollments__active=True,
        enrollments__role__in=("teacher", "aide", "proctor"),
        active=True,
    ).distinct()


def students_of(teacher: Person) -> QuerySet[Person]:
    """teacher → class → student: the students in the classes this person teaches."""
    classes = classes_taught_by(teacher)
    return Person.objects.filter(
        enrollments__school_class__in=classes,
        enrollments__role="student",
        enrollments__active=True,
        active=True,
    ).distinct()


def find_person(key: str) -> Person:
    """A person by sourced_id, username or e-mail (the first that matches exactly one)."""
    for field in ("sourced_id", "username", "email"):
        found = list(Person.objects.filter(**{field: key})[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise LookupError(f"{key!r} matches more than one person by {field}")
    raise LookupError(f"no person {key!r} (by id, username or e-mail)")


def enrollments_of(person: Person) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(person=person, active=True).select_related("school_class")
