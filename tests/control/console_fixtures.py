"""The demo district and its sign-ins, and an oracle of who may see whom written from the raw
relationships (enrollments, guardian links, roles) — independent of `access.scope`."""

from __future__ import annotations

from collections.abc import Iterator
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


@dataclass(frozen=True)
class District:
    """What `demo_district` committed: primary keys and passwords, never live objects."""

    people: dict[str, int]  # role → Person pk
    users: dict[str, int]  # role → User pk
    passwords: dict[str, str]


MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only: tests never ship hashes


@pytest.fixture(scope="module")
def demo_district(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[District]:
    """The 40-student demo district, committed once per test module.

    Loading it per test made the console's tests slow. Each test runs in a transaction that is
    rolled back (`db`), so the committed district is the same for every test of the module; at
    the end of the module every table is flushed, so other modules (roster imports, migrations)
    still start from an empty database. Tests that commit (`transactional_db`) must not use it:
    their flush would remove the district under the module's other tests."""
    from django.core.management import call_command
    from django.test import override_settings

    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district

    data = tmp_path_factory.mktemp("demo-district")
    with (
        django_db_blocker.unblock(),
        override_settings(
            DATA_DIR=data, SCHOOLGATE_SNAPSHOT=str(data / "snapshot.json"), PASSWORD_HASHERS=MD5
        ),
    ):
        from django.contrib.auth.models import User

        load_district(students=40, seed=2)
        sign_ins = create_sign_ins()
        district = District(
            people={role: p.pk for role, p in demo_people().items()},
            users={s.role: User.objects.get(username=s.username).pk for s in sign_ins},
            passwords={s.role: s.password for s in sign_ins},
        )
    yield district
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_district: District, db: None, settings: Any) -> Demo:
    from django.contrib.auth.models import User

    from schoolgate.control.people.models import Person

    settings.PASSWORD_HASHERS = MD5
    people = {role: Person.objects.get(pk=pk) for role, pk in demo_district.people.items()}
    users = {role: User.objects.get(pk=pk) for role, pk in demo_district.users.items()}
    return Demo(people, users, dict(demo_district.passwords))


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


def targets(demo: Demo) -> dict[str, Any]:
    """The guardian's child, another of the teacher's pupils, a student outside the principal's
    school, the teacher and the HR person."""
    from schoolgate.control.people.models import Enrollment, Person

    teacher = demo.people["teacher"]
    classes = Enrollment.objects.filter(person=teacher, role="teacher").values("school_class")
    pupil = (
        Person.objects.filter(enrollments__school_class__in=classes, enrollments__role="student")
        .exclude(pk=demo.people["student"].pk)
        .order_by("sourced_id")
        .first()
    )
    principal = demo.people["principal"]
    elsewhere = next(
        p
        for p in Person.objects.filter(role="student", active=True).order_by("sourced_id")
        if not oracle("principal", principal, p)
    )
    found = {
        "child": demo.people["student"],
        "pupil": pupil,
        "elsewhere": elsewhere,
        "teacher": teacher,
        "hr": demo.people["hr"],
    }
    assert all(found.values()), found
    return found
