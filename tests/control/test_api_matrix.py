"""The API's permission matrix: every route × every caller (anonymous, the seven demo roles,
machine tokens with and without the route's scope). Who may see whom comes from the oracle
over the raw tables (console_fixtures.py), never from `access.scope`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.people.models import Person

from .api_fixtures import (
    CALLERS,
    INCIDENT_ROLES,
    MACHINES,
    client_for,
    demo,
    district,
    sees,
    targets,
)
from .console_fixtures import Demo

__all__ = ["demo", "district"]

PEOPLE_ROUTES = [
    "/api/v1/people",
    "/api/v1/acknowledgments/outstanding",
    "/api/v1/consents",
    "/api/v1/sanctions",
]


def refused(caller: str, status: int) -> bool:
    """Anonymous: 401 (with a Bearer challenge); machines on a people route: 403."""
    if caller == "anonymous":
        return status == 401
    if caller in MACHINES:
        return status == 403
    return False


def all_ids(client: Client, route: str, key: str = "id") -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        response = client.get(route, {"page": page, "page_size": 200})
        assert response.status_code == 200, response.content
        body = response.json()
        for row in body["results"]:
            value = row
            for part in key.split("."):
                value = value[part]
            ids.add(value)
        if not body["next"]:
            return ids
        page += 1


@pytest.mark.parametrize("caller", CALLERS)
def test_directory_lists_exactly_whom_the_oracle_allows(demo: Demo, caller: str) -> None:
    client = client_for(demo, caller)
    response = client.get("/api/v1/people")
    if caller == "anonymous" or caller in MACHINES:
        assert refused(caller, response.status_code), response.status_code
        if caller == "anonymous":
            assert response["WWW-Authenticate"].startswith("Bearer")
        return
    expected = {p.sourced_id for p in Person.objects.filter(active=True) if sees(demo, caller, p)}
    assert all_ids(client, "/api/v1/people") == expected
    logged = set(
        AccessLogEntry.objects.filter(viewer=demo.users[caller], purpose="directory").values_list(
            "subject__sourced_id", flat=True
        )
    )
    assert logged == expected  # every person returned was logged, and nobody else


@pytest.mark.parametrize("caller", CALLERS)
def test_one_record_by_relationship(demo: Demo, caller: str) -> None:
    client = client_for(demo, caller)
    for name, target in targets(demo).items():
        before = AccessLogEntry.objects.filter(subject=target, purpose="record").count()
        response = client.get(f"/api/v1/people/{target.sourced_id}")
        after = AccessLogEntry.objects.filter(subject=target, purpose="record").count()
        if caller == "anonymous" or caller in MACHINES:
            assert refused(caller, response.status_code), (name, response.status_code)
        elif sees(demo, caller, target):
            assert response.status_code == 200, name
            assert response.json()["id"] == target.sourced_id
            assert after == before + 1, name
            continue
        else:
            assert response.status_code == 404, (name, response.status_code)
            assert response.json() == {"error": "no such person"}
        assert after == before, name  # a refused view is not a view


@pytest.mark.parametrize("caller", CALLERS)
def test_outstanding_and_consents_are_scoped(demo: Demo, caller: str) -> None:
    from schoolgate.control.agreements.models import Acknowledgment
    from schoolgate.control.agreements.services import current_pack, required

    client = client_for(demo, caller)
    for route in ("/api/v1/acknowledgments/outstanding", "/api/v1/consents"):
        if caller == "anonymous" or caller in MACHINES:
            assert refused(caller, client.get(route).status_code), route
    if caller == "anonymous" or caller in MACHINES:
        return
    people = list(Person.objects.filter(active=True))
    must = required(current_pack().pack, timezone.localdate())
    signed = set(Acknowledgment.objects.values_list("on_behalf_of_id", flat=True))
    assert all_ids(client, "/api/v1/acknowledgments/outstanding") == {
        p.sourced_id
        for p in people
        if p.pk in must and p.pk not in signed and sees(demo, caller, p)
    }
    assert all_ids(client, "/api/v1/consents", key="person.id") == {
        p.sourced_id for p in people if p.role == "student" and sees(demo, caller, p)
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_consent_is_given_only_by_the_childs_guardian(demo: Demo, caller: str) -> None:
    from schoolgate.control.consents.models import ConsentRecord

    client = client_for(demo, caller)
    child = demo.people["student"]
    for target in (child, targets(demo)["pupil"]):
        before = ConsentRecord.objects.filter(on_behalf_of=target).count()
        response = client.post(
            "/api/v1/consents",
            {
                "person": target.sourced_id,
                "consent": "publish-photo",
                "action": "grant",
                "typed_name": "A Parent",
            },
            content_type="application/json",
        )
        after = ConsentRecord.objects.filter(on_behalf_of=target).count()
        if caller == "anonymous" or caller in MACHINES:
            assert refused(caller, response.status_code)
        elif caller == "guardian" and target.pk == child.pk:
            assert response.status_code == 201, response.content
            assert after == before + 1
            continue
        elif sees(demo, caller, target):
            assert response.status_code == 403, (caller, response.status_code)
        else:
            assert response.status_code == 404, (caller, response.status_code)
        assert after == before


@pytest.mark.parametrize("caller", CALLERS)
def test_suspending_by_role(demo: Demo, caller: str) -> None:
    client = client_for(demo, caller)
    found = targets(demo)
    for target in (found["pupil"], found["elsewhere"]):
        before = Sanction.objects.filter(person=target).count()
        response = client.post(
            "/api/v1/sanctions",
            {"person": target.sourced_id, "scope": "internet", "days": 3, "reason": "proxy"},
            content_type="application/json",
        )
        after = Sanction.objects.filter(person=target).count()
        if caller == "anonymous" or caller in MACHINES:
            assert refused(caller, response.status_code)
        elif caller not in ("principal", "administrator"):
            assert response.status_code == 403
        elif sees(demo, caller, target):
            assert response.status_code == 201 and after == before + 1
            continue
        else:
            assert response.status_code == 404
        assert after == before


def _suspend_all(demo: Demo) -> dict[str, Any]:
    from schoolgate.control.conduct.services import suspend

    found = targets(demo)
    for target in found.values():
        suspend(
            target,
            scope="internet",
            reason=f"reason for {target.sourced_id}",
            decided_by_name="test",
            ends_at=timezone.now() + dt.timedelta(days=1),
        )
    return found


@pytest.mark.parametrize("caller", CALLERS)
def test_sanctions_list_and_lift_are_scoped(demo: Demo, caller: str) -> None:
    found = _suspend_all(demo)
    client = client_for(demo, caller)
    listing = client.get("/api/v1/sanctions")
    if caller == "anonymous" or caller in MACHINES:
        assert refused(caller, listing.status_code)
    else:
        reasons = {row["reason"] for row in listing.json()["results"]}
        for target in found.values():
            shown = f"reason for {target.sourced_id}" in reasons
            assert shown == sees(demo, caller, target), target.sourced_id
    for target in (found["pupil"], found["elsewhere"]):
        sanction = Sanction.objects.get(person=target)
        response = client.post(
            f"/api/v1/sanctions/{sanction.pk}/lift",
            {"reason": "appeal upheld"},
            content_type="application/json",
        )
        sanction.refresh_from_db()
        if caller == "anonymous" or caller in MACHINES:
            assert refused(caller, response.status_code)
        elif caller not in ("principal", "administrator"):
            assert response.status_code == 403
        elif sees(demo, caller, target):
            assert response.status_code == 200 and sanction.lifted_at is not None
            continue
        else:
            assert response.status_code == 404
        assert sanction.lifted_at is None


@pytest.mark.parametrize("caller", CALLERS)
def test_incidents_are_for_those_who_handle_them(demo: Demo, caller: str) -> None:
    from schoolgate.control.conduct.services import open_incident

    opened = {
        name: open_incident(f"about {name}", subject=target)
        for name, target in targets(demo).items()
    }
    nobody = open_incident("an unknown device tried a proxy")
    client = client_for(demo, caller)
    listing = client.get("/api/v1/incidents", {"page_size": 200})
    if caller == "anonymous" or caller in MACHINES:
        assert refused(caller, listing.status_code)
        return
    if caller not in INCIDENT_ROLES:
        assert listing.status_code == 403
        assert client.get(f"/api/v1/incidents/{nobody.pk}").status_code == 403
        return
    ids = {row["id"] for row in listing.json()["results"]}
    for incident in [*opened.values(), nobody]:
        subject = incident.subject
        allowed = (
            sees(demo, caller, subject)
            if subject is not None
            else caller in ("administrator", "technology-manager")
        )
        assert (incident.pk in ids) == allowed, incident.summary
        one = client.get(f"/api/v1/incidents/{incident.pk}")
        assert one.status_code == (200 if allowed else 404), incident.summary


@pytest.mark.parametrize("caller", CALLERS)
def test_access_log_is_for_administrators(demo: Demo, caller: str) -> None:
    response = client_for(demo, caller).get("/api/v1/access-log")
    if caller == "anonymous" or caller in MACHINES:
        assert refused(caller, response.status_code)
    else:
        assert response.status_code == (200 if caller == "administrator" else 403)


@pytest.mark.parametrize("caller", CALLERS)
def test_machine_routes_need_their_scope(demo: Demo, caller: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(demo, caller)
    feed = client.get("/api/v1/addresses")
    kea = b"address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state\n"
    upload = client.post("/api/v1/leases", {"file": SimpleUploadedFile("leases4.csv", kea)})
    expected_feed = 200 if caller in ("token:addresses", "token:both") else 403
    expected_upload = 200 if caller in ("token:leases", "token:both") else 403
    if caller == "anonymous":
        expected_feed = expected_upload = 401
    assert feed.status_code == expected_feed, feed.content
    assert upload.status_code == expected_upload, upload.content


@pytest.mark.parametrize("caller", CALLERS)
def test_the_snapshot_is_for_tokens_with_snapshot_read(demo: Demo, caller: str) -> None:
    """Student records: only `snapshot:read`; people (any role) and other scopes get 403."""
    from schoolgate.control.publication.services import publish

    client = client_for(demo, caller)
    allowed = caller == "token:snapshot"
    refusal = 401 if caller == "anonymous" else 403
    unpublished = client.get("/api/v1/snapshot")
    assert unpublished.status_code == (503 if allowed else refusal), unpublished.content
    revision = publish().revision
    response = client.get("/api/v1/snapshot")
    assert response.status_code == (200 if allowed else refusal), response.content
    if not allowed:
        assert revision not in response.content.decode()
        return
    assert unpublished.json() == {"error": "no snapshot has been published yet"}
    assert response["ETag"] == f'"{revision}"' and response["Content-Type"] == "application/json"
    assert response.json()["revision"] == revision
    again = client.get("/api/v1/snapshot", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and again["ETag"] == response["ETag"] and not again.content
    stale = client.get("/api/v1/snapshot", headers={"if-none-match": '"0000"'})
    assert stale.status_code == 200


@pytest.mark.parametrize("caller", CALLERS)
def test_the_document_is_public(demo: Demo, caller: str) -> None:
    response = client_for(demo, caller).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_every_route_is_in_the_matrix() -> None:
    """A new route must be added above: the set of routes is pinned here."""
    from schoolgate.control.api.urls import urlpatterns

    assert {str(p.pattern) for p in urlpatterns} - {""} == {
        "openapi.json", "people", "people/<str:sourced_id>", "acknowledgments/outstanding",
        "consents", "sanctions", "sanctions/<int:pk>/lift", "incidents", "incidents/<int:pk>",
        "access-log", "addresses", "leases", "snapshot",
    }  # fmt: skip
