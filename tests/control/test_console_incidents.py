"""Incidents through the pages: who sees which (against the raw-table oracle, not the scoping
code), opening one from a record, its history, suspending from it, and the access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.conduct.models import Incident, Sanction
from schoolgate.control.conduct.services import open_incident, suspend
from schoolgate.control.people.models import Person

from .console_fixtures import ROLES, Demo, demo, oracle

__all__ = ["demo"]

HANDLERS = ("principal", "technology-manager", "administrator")


def client_for(demo: Demo, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(demo.users[role])
    return client


def _elsewhere(demo: Demo) -> Any:
    """A student the principal's school does not hold (the oracle decides)."""
    for p in Person.objects.filter(role="student", active=True).order_by("sourced_id"):
        if not oracle("principal", demo.people["principal"], p):
            return p
    raise AssertionError("every student is at the principal's school")


def _mine(demo: Demo) -> Any:
    for p in Person.objects.filter(role="student", active=True).order_by("sourced_id"):
        if oracle("principal", demo.people["principal"], p):
            return p
    raise AssertionError("no student at the principal's school")


@pytest.mark.parametrize("role", ROLES)
def test_incident_pages_by_role(demo: Demo, role: str) -> None:
    mine, elsewhere = _mine(demo), _elsewhere(demo)
    incidents = {p.pk: open_incident("left the room", subject=p) for p in (mine, elsewhere)}
    nobody = open_incident("proxy attempts from an unknown device")
    client = client_for(demo, role)
    listing = client.get("/incidents/?status=all")
    if role == "anonymous":
        assert listing.status_code == 302
        return
    if role not in HANDLERS:
        assert listing.status_code == 403
        assert client.get(f"/incidents/{incidents[mine.pk].pk}/").status_code == 403
        return
    assert listing.status_code == 200
    viewer = demo.people[role]
    for person in (mine, elsewhere):
        expected = oracle(role, viewer, person)
        page = client.get(f"/incidents/{incidents[person.pk].pk}/")
        assert page.status_code == (200 if expected else 404), person
        assert (person.display_name in listing.content.decode()) == expected
    unnamed = client.get(f"/incidents/{nobody.pk}/")
    assert unnamed.status_code == (200 if role != "principal" else 404)


def test_a_principal_opens_an_incident_and_suspends_from_it(demo: Demo) -> None:
    client = client_for(demo, "principal")
    student = _mine(demo)
    record = client.get(f"/people/{student.sourced_id}/").content.decode()
    assert f"/incidents/new/?person={student.sourced_id}" in record
    form = client.get(f"/incidents/new/?person={student.sourced_id}")
    assert form.status_code == 200 and "What happened" in form.content.decode()
    response = client.post(
        "/incidents/new/",
        {"person": student.sourced_id, "summary": "shared a password", "severity": "high"},
    )
    assert response.status_code == 302
    incident = Incident.objects.get(subject=student)
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.opened_by == demo.people["principal"] and incident.severity == "high"
    client.post(f"/incidents/{incident.pk}/assign/")
    suspended = client.post(
        f"/incidents/{incident.pk}/suspend/",
        {"scope": "network", "days": "2", "reason": "shared a password"},
    )
    assert suspended.status_code == 302
    sanction = Sanction.objects.get(person=student)
    assert sanction.incident_id == incident.pk
    client.post(f"/incidents/{incident.pk}/resolve/", {"resolution": "two-day suspension"})
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    for action in ("opened", "assigned", "resolved", "two-day suspension", "network"):
        assert action in page
    incident.refresh_from_db()
    assert incident.status == "resolved"


def test_an_incident_for_someone_else_s_student_cannot_be_opened(demo: Demo) -> None:
    client = client_for(demo, "principal")
    elsewhere = _elsewhere(demo)
    assert client.get(f"/incidents/new/?person={elsewhere.sourced_id}").status_code == 404
    response = client.post(
        "/incidents/new/", {"person": elsewhere.sourced_id, "summary": "x", "severity": "low"}
    )
    assert response.status_code == 404 and not Incident.objects.exists()
    tech = client_for(demo, "technology-manager")
    incident = open_incident("x", subject=elsewhere)
    blocked = tech.post(
        f"/incidents/{incident.pk}/suspend/", {"scope": "network", "days": "1", "reason": "x"}
    )
    assert blocked.status_code == 403 and not Sanction.objects.exists()


def test_reading_incidents_is_in_the_access_log(demo: Demo) -> None:
    student = _mine(demo)
    incident = open_incident("left the room", subject=student)
    user = demo.users["principal"]
    client = client_for(demo, "principal")
    client.get("/incidents/")
    client.get(f"/incidents/{incident.pk}/")
    rows = AccessLogEntry.objects.filter(viewer=user, subject=student, what="incidents")
    assert list(rows.values_list("purpose", "path")) == [
        ("incident", f"/incidents/{incident.pk}/"),
        ("incident", "/incidents/"),
    ]


def test_a_principal_sees_a_student_s_incidents_on_their_record(demo: Demo) -> None:
    student = _mine(demo)
    principal = demo.people["principal"]
    incident = open_incident("shared a password with a friend", subject=student)
    elsewhere = open_incident("not this one", subject=_elsewhere(demo))
    suspend(
        student,
        scope="internet",
        reason="the shared password",
        decided_by=principal,
        ends_at=timezone.now() + dt.timedelta(days=2),
        incident=incident,
    )
    page = client_for(demo, "principal").get(f"/people/{student.sourced_id}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="incidents-heading"' in html
    assert f'href="/incidents/{incident.pk}/"' in html and "shared a password with a friend" in html
    assert "open" in html and "the shared password" in html  # its status; the sanction it led to
    assert f"/incidents/{elsewhere.pk}/" not in html
    rows = AccessLogEntry.objects.filter(viewer=demo.users["principal"], subject=student)
    assert set(rows.values_list("what", "purpose", "path")) == {
        ("record", "record", f"/people/{student.sourced_id}/"),
        ("incidents", "incident", f"/people/{student.sourced_id}/"),
    }


def test_a_teacher_does_not_see_their_pupil_s_incidents(demo: Demo) -> None:
    teacher = demo.people["teacher"]
    pupil = next(
        p
        for p in Person.objects.filter(role="student", active=True).order_by("sourced_id")
        if oracle("teacher", teacher, p)
    )
    open_incident("left the room", subject=pupil)
    page = client_for(demo, "teacher").get(f"/people/{pupil.sourced_id}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Sanctions" in html  # the record itself is theirs to see
    assert "incidents-heading" not in html and "left the room" not in html
    assert "/incidents/" not in html
    rows = AccessLogEntry.objects.filter(viewer=demo.users["teacher"], subject=pupil)
    assert list(rows.values_list("what", flat=True)) == ["record"]
