"""`visible_people`, the one door to people, agrees with the raw relationships for every role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from schoolgate.control.access.scope import PURPOSES, may, visible_people
from schoolgate.control.people.models import Person

from .console_fixtures import ROLES, Demo, demo, oracle

__all__ = ["demo"]


@pytest.mark.parametrize("role", ROLES[1:])
def test_scope_matches_the_relationships(demo: Demo, role: str) -> None:
    viewer = demo.people[role]
    seen = set(visible_people(demo.users[role], "record").values_list("pk", flat=True))
    expected = {p.pk for p in Person.objects.filter(active=True) if oracle(role, viewer, p)}
    assert seen == expected
    assert viewer.pk in seen


def test_each_role_sees_a_sensible_share(demo: Demo) -> None:
    everyone = Person.objects.filter(active=True).count()
    count = {r: visible_people(demo.users[r], "directory").count() for r in ROLES[1:]}
    assert count["student"] == 1
    assert count["guardian"] >= 2  # self and at least one child
    assert 1 < count["teacher"] < everyone
    assert 1 < count["principal"] < everyone
    assert count["administrator"] == count["technology-manager"] == everyone
    hr_seen = visible_people(demo.users["hr"], "directory")
    assert not hr_seen.filter(role__in=("student", "guardian")).exists()


def test_anonymous_and_unlinked_users_see_nobody(demo: Demo) -> None:
    from django.contrib.auth.models import User

    assert not visible_people(AnonymousUser(), "record").exists()
    stray = User.objects.create_user("stray", password="x" * 16)
    assert not visible_people(stray, "record").exists()


def test_an_unknown_purpose_is_refused(demo: Demo) -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        visible_people(demo.users["administrator"], "curiosity")
    assert set(PURPOSES) >= {"record", "directory", "consent", "signing", "sanction"}


def test_actions_by_role(demo: Demo) -> None:
    suspenders = {r for r in ROLES[1:] if may(demo.users[r], "suspend")}
    assert suspenders == {"principal", "administrator"}
    reviewers = {r for r in ROLES[1:] if may(demo.users[r], "review-access-log")}
    assert reviewers == {"administrator"}


def test_a_deactivated_viewer_sees_nobody(demo: Demo) -> None:
    teacher = demo.people["teacher"]
    Person.objects.filter(pk=teacher.pk).update(active=False)
    assert not visible_people(demo.users["teacher"], "record").exists()
