"""The demo district and its sign-ins, and an oracle of who may see whom written from the raw
relationships (enrollments, guardian links, roles) — independent of `access.scope`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

ROLES = (
    "anonymous",
    "student",
    "guardian",
    "teacher",
    "principal",
    "hr",
    "technology-manager",
    "administrator",
)


@dataclass
class Demo:
    people: dict[str, Any]  # role → Person
    users: dict[str, Any]  # role → User
    passwords: dict[str, str]


@pytest.fixture
def demo(db: None, settings: Any) -> Demo:
    from django.contrib.auth.models import User

    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    load_district(students=40, seed=2)
    sign_ins = create_sign_ins()
    people = demo_people()
    users = {s.role: User.objects.get(username=s.username) for s in sign_ins}
    return Demo(people, users, {s.role: s.password for s in sign_ins})


def oracle(role: str, viewer: Any, target: Any) -> bool:
    """Whether `viewer` acting as `role` may see `target`, from the raw tables."""
    from schoolgate.control.people.models import STAFF_ROLES, Enrollment, GuardianLink, PersonRole

    if role == "anonymous" or viewer is None:
        return False
    if viewer.pk == target.pk or role in ("administrator", "technology-manager"):
        return True
    if role == "student":
        return False
    if role == "guardian":
        return GuardianLink.objects.filter(guardian=viewer, student=target, active=True).exists()
    if role == "hr":
        return target.role in STAFF_ROLES
    if role == "teacher":
        classes = Enrollment.objects.filter(person=viewer, role="teacher", active=True).values(
            "school_class"
        )
        return Enrollment.objects.filter(
            person=target, role="student", active=True, school_class__in=classes
        ).exists()
    if role == "principal":
        schools = set(
            PersonRole.objects.filter(person=viewer, active=True, role="principal").values_list(
                "org_id", flat=True
            )
        )
        theirs = set(
            PersonRole.objects.filter(person=target, active=True).values_list("org_id", flat=True)
        ) | {target.primary_org_id}
        return bool(schools & theirs)
    raise AssertionError(role)
