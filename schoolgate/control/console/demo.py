# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""The demo district behind `make run`: a generated roster, imported once, and one sign-in per
role with a fresh random password each run (printed by `schoolgate console`, never logged)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q

from schoolgate.control.accounts.services import create_account
from schoolgate.control.people.models import GuardianLink, Org, Person, PersonRole
from schoolgate.control.people.oneroster.generate import write
from schoolgate.control.people.roster import ImportResult, import_roster
from schoolgate.control.people.services import add_person, assign_role

# The roles the console is shown with, in the order they are printed.
DEMO_ROLES = (
    "administrator",
    "technology-manager",
    "principal",
    "hr",
    "teacher",
    "guardian",
    "student",
)
HR_USERNAME = "demo.hr"
TEACHING = Q(enrollments__role="teacher", enrollments__active=True)


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    username: str
    password: str
    name: str


def load_district(students: int = 500, seed: int = 1) -> ImportResult | None:
    """Generate and import the demo roster unless people are already stored (None then)."""
    if Person.objects.exists():
        return None
    folder = Path(settings.DATA_DIR) / "demo-roster"
    write(folder, students, seed, "1.2")
    return import_roster(folder)


def _with_role(role: str) -> Person | None:
    held = PersonRole.objects.filter(role=role, active=True, person__active=True)
    return Person.objects.filter(pk__in=held.values("person_id")).order_by("sourced_id").first()


def _teacher() -> Person | None:
    """A teacher with students, so the teacher's directory is not empty."""
    return (
        Person.objects.filter(role="teacher", active=True)
        .annotate(taught=Count("enrollments", filter=TEACHING))
        .filter(taught__gt=0)
        .order_by("sourced_id")
        .first()
    )


def _hr() -> Person:
    """HR is a local role no roster carries: a demo HR officer at the district."""
    found = Person.objects.filter(username=HR_USERNAME).first()
    if found is not None:
        return found
    district = Org.objects.filter(type="district").order_by("pk").first()
    person = add_person("Harper", "Reed", "hr", username=HR_USERNAME, school=district)
    assign_role(person, "hr", district)
    return person


def demo_people() -> dict[str, Person]:
    """role → the person who signs in as it; a role the roster lacks is left out."""
    link = (
        GuardianLink.objects.filter(active=True, student__active=True, guardian__active=True)
        .select_related("guardian", "student")
        .order_by("student__sourced_id")
        .first()
    )
    found: dict[str, Person | None] = {
        "administrator": _with_role("administrator"),
        "technology-manager": _with_role("technology-manager"),
        "principal": _with_role("principal"),
        "hr": _hr(),
        "teacher": _teacher(),
        "guardian": link.guardian if link else None,
        "student": link.student if link else None,
    }
    return {role: person for role, person in found.items() if person is not None}


def create_sign_ins() -> list[DemoSignIn]:
    """A new random password for each demo role's person (argon2-hashed when stored)."""
    out = []
    for role, person in demo_people().items():
        password = secrets.token_urlsafe(12)
        account = create_account(person, password)
        out.append(DemoSignIn(role, account.user.username, password, person.display_name))
    return sorted(out, key=lambda s: DEMO_ROLES.index(s.role))
