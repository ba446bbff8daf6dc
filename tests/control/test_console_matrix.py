"""The permission matrix: every console page × every role (anonymous, student, guardian,
teacher, principal, HR, technology manager, administrator), against people chosen to sit on
both sides of each relationship. Expectations come from `oracle`, not from the code under test."""

from __future__ import annotations

import pytest
from django.test import Client

from schoolgate.control.conduct.models import Sanction

from .console_fixtures import ROLES, Demo, demo, oracle, targets

__all__ = ["demo"]


def client_for(demo: Demo, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(demo.users[role])
    return client


PAGES_FOR_EVERYONE = ["/", "/people/", "/sanctions/", "/consents/"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_for_every_signed_in_role(demo: Demo, role: str) -> None:
    client = client_for(demo, role)
    for page in [*PAGES_FOR_EVERYONE, "/sign/"]:
        response = client.get(page)
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], page
        else:
            assert response.status_code == (302 if page == "/sign/" else 200), page
    assert client.get("/login/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_access_log_is_for_administrators(demo: Demo, role: str) -> None:
    response = client_for(demo, role).get("/access-log/")
    expected = {"anonymous": 302, "administrator": 200}.get(role, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_records_by_role_and_relationship(demo: Demo, role: str) -> None:
    client = client_for(demo, role)
    viewer = demo.people.get(role)
    for name, target in targets(demo).items():
        allowed = oracle(role, viewer, target)
        record = client.get(f"/people/{target.sourced_id}/")
        listing = client.get("/people/", {"q": target.family_name})
        if role == "anonymous":
            assert record.status_code == 302 and listing.status_code == 302
            continue
        assert record.status_code == (200 if allowed else 404), (name, record.status_code)
        shown = f"/people/{target.sourced_id}/" in listing.content.decode()
        assert shown == allowed, (name, "directory")


@pytest.mark.parametrize("role", ROLES)
def test_signing_and_consent_pages_are_for_self_and_own_children(demo: Demo, role: str) -> None:
    client = client_for(demo, role)
    viewer = demo.people.get(role)
    child = demo.people["student"]
    for target in (child, targets(demo)["pupil"], demo.people["teacher"]):
        sign = client.get(f"/sign/{target.sourced_id}/")
        consent = client.get(f"/consents/{target.sourced_id}/")
        if role == "anonymous":
            assert sign.status_code == consent.status_code == 302
            continue
        is_self = viewer.pk == target.pk
        is_parent = role == "guardian" and target.pk == child.pk
        assert sign.status_code == (200 if is_self or is_parent else 404), target.role
        assert consent.status_code == (200 if is_parent else 404), target.role


@pytest.mark.parametrize("role", ROLES)
def test_suspending_by_role(demo: Demo, role: str) -> None:
    client = client_for(demo, role)
    viewer = demo.people.get(role)
    for target in (targets(demo)["pupil"], targets(demo)["elsewhere"]):
        before = Sanction.objects.filter(person=target).count()
        form = {"scope": "internet", "days": "3", "reason": "bypass attempts"}
        response = client.post(f"/people/{target.sourced_id}/suspend/", form)
        after = Sanction.objects.filter(person=target).count()
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"]
        elif role not in ("principal", "administrator"):
            assert response.status_code == 403
        elif oracle(role, viewer, target):
            assert response.status_code == 302 and after == before + 1
            continue
        else:
            assert response.status_code == 404
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_sanctions_list_is_scoped(demo: Demo, role: str) -> None:
    from schoolgate.control.conduct.services import suspend

    found = targets(demo)
    import datetime as dt

    from django.utils import timezone

    for target in found.values():
        suspend(
            target,
            scope="internet",
            reason=f"reason for {target.sourced_id}",
            decided_by_name="test",
            ends_at=timezone.now() + dt.timedelta(days=1),
        )
    page = client_for(demo, role).get("/sanctions/")
    if role == "anonymous":
        assert page.status_code == 302
        return
    body = page.content.decode()
    for target in found.values():
        assert (f"reason for {target.sourced_id}" in body) == oracle(
            role, demo.people[role], target
        )


@pytest.mark.parametrize("role", ROLES)
def test_lifting_by_role(demo: Demo, role: str) -> None:
    import datetime as dt

    from django.utils import timezone

    from schoolgate.control.conduct.services import suspend

    client = client_for(demo, role)
    viewer = demo.people.get(role)
    for target in (targets(demo)["pupil"], targets(demo)["elsewhere"]):
        sanction = suspend(
            target,
            scope="internet",
            reason="proxy",
            decided_by_name="test",
            ends_at=timezone.now() + dt.timedelta(days=1),
        )
        response = client.post(f"/sanctions/{sanction.pk}/lift/", {"reason": "appeal upheld"})
        sanction.refresh_from_db()
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"]
        elif role not in ("principal", "administrator"):
            assert response.status_code == 403
        elif oracle(role, viewer, target):
            assert response.status_code == 302
            assert sanction.lifted_at is not None and sanction.lift_reason == "appeal upheld"
            assert sanction.lifted_by_name == viewer.display_name
            continue
        else:
            assert response.status_code == 404
        assert sanction.lifted_at is None
