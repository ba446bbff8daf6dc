"""The console's work, end to end through the pages: a staff member signs, a guardian signs
for a child and grants photo consent, a principal suspends a student and the snapshot carries
it — and every view of a student's record leaves an access-log entry."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.agreements.models import Acknowledgment
from schoolgate.control.consents.models import ConsentRecord
from schoolgate.control.people.models import Person

from .console_fixtures import Demo, demo

__all__ = ["demo"]


def as_role(demo: Demo, role: str) -> Client:
    client = Client()
    client.force_login(demo.users[role])
    return client


def entries_for(demo: Demo, role: str, subject: Person) -> list[tuple[str, str]]:
    rows = AccessLogEntry.objects.filter(viewer=demo.users[role], subject=subject)
    return list(rows.values_list("what", "purpose"))


def test_every_view_of_a_student_record_is_logged(demo: Demo) -> None:
    child = demo.people["student"]
    pages = {
        "principal": [f"/people/{child.sourced_id}/"],
        "administrator": [f"/people/{child.sourced_id}/", f"/people/?q={child.family_name}"],
        "guardian": [
            f"/people/{child.sourced_id}/",
            f"/consents/{child.sourced_id}/",
            f"/sign/{child.sourced_id}/",
        ],
    }
    expected = {
        f"/people/{child.sourced_id}/": ("record", "record"),
        f"/people/?q={child.family_name}": ("directory", "directory"),
        f"/consents/{child.sourced_id}/": ("consents", "consent"),
        f"/sign/{child.sourced_id}/": ("signing", "signing"),
    }
    for role, urls in pages.items():
        client = as_role(demo, role)
        for url in urls:
            before = AccessLogEntry.objects.count()
            assert client.get(url).status_code == 200, (role, url)
            assert AccessLogEntry.objects.count() > before, (role, url)
            assert entries_for(demo, role, child)[0] == expected[url], (role, url)


def test_a_refused_view_is_not_a_view(demo: Demo) -> None:
    child = demo.people["student"]
    assert as_role(demo, "hr").get(f"/people/{child.sourced_id}/").status_code == 404
    assert entries_for(demo, "hr", child) == []


def test_sanctions_list_logs_the_people_it_shows(demo: Demo) -> None:
    child = demo.people["student"]
    client = as_role(demo, "administrator")
    client.post(
        f"/people/{child.sourced_id}/suspend/",
        {"scope": "internet", "days": "2", "reason": "proxy sites"},
    )
    client.get("/sanctions/")
    assert ("sanctions", "sanction") in entries_for(demo, "administrator", child)


def test_administrators_review_the_access_log(demo: Demo) -> None:
    child = demo.people["student"]
    as_role(demo, "guardian").get(f"/people/{child.sourced_id}/")
    page = as_role(demo, "administrator").get("/access-log/", {"person": child.sourced_id})
    body = page.content.decode()
    assert demo.users["guardian"].username in body and child.sourced_id in body
    assert "record" in body


def test_a_teacher_signs_the_agreement(demo: Demo) -> None:
    teacher = demo.people["teacher"]
    client = as_role(demo, "teacher")
    page = client.get("/sign/", follow=True)
    assert "electronic monitoring" in page.content.decode().lower()
    wrong = client.post(f"/sign/{teacher.sourced_id}/", {"typed_name": "Someone Else"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    assert not Acknowledgment.objects.filter(on_behalf_of=teacher).exists()
    done = client.post(
        f"/sign/{teacher.sourced_id}/",
        {"typed_name": teacher.display_name},
        REMOTE_ADDR="127.0.0.9",
        HTTP_USER_AGENT="test-browser",
    )
    assert done.status_code == 302
    signature = Acknowledgment.objects.get(on_behalf_of=teacher)
    assert signature.signer == teacher and signature.ip_address == "127.0.0.9"
    assert signature.user_agent == "test-browser"
    assert "Signed by" in client.get(f"/sign/{teacher.sourced_id}/").content.decode()


def test_a_guardian_signs_for_their_child(demo: Demo) -> None:
    guardian, child = demo.people["guardian"], demo.people["student"]
    client = as_role(demo, "guardian")
    assert child.sourced_id in client.get(f"/sign/{guardian.sourced_id}/").content.decode()
    response = client.post(f"/sign/{child.sourced_id}/", {"typed_name": guardian.display_name})
    assert response.status_code == 302
    signature = Acknowledgment.objects.get(on_behalf_of=child)
    assert signature.signer == guardian and signature.audience == "guardian"


def test_a_guardian_grants_photo_consent(demo: Demo, data_dir: Path) -> None:
    guardian, child = demo.people["guardian"], demo.people["student"]
    client = as_role(demo, "guardian")
    assert child.display_name in client.get("/consents/").content.decode()
    empty = client.post(
        f"/consents/{child.sourced_id}/",
        {"consent": "publish-photo", "action": "grant", "typed_name": " "},
    )
    assert empty.status_code == 400
    unknown = client.post(
        f"/consents/{child.sourced_id}/",
        {"consent": "tattoo", "action": "grant", "typed_name": guardian.display_name},
    )
    assert unknown.status_code == 400 and "has no consent" in unknown.content.decode()
    assert not ConsentRecord.objects.filter(on_behalf_of=child).exists()
    response = client.post(
        f"/consents/{child.sourced_id}/",
        {"consent": "publish-photo", "action": "grant", "typed_name": guardian.display_name},
    )
    assert response.status_code == 302
    saved = ConsentRecord.objects.get(on_behalf_of=child)
    assert (saved.consent, saved.action, saved.signer) == ("publish-photo", "grant", guardian)
    page = client.get(f"/consents/{child.sourced_id}/").content.decode()
    assert "now: given" in page
    snapshot = json.loads((data_dir / "snapshot.json").read_text())
    assert "publish-photo" in snapshot["records"]["users"][child.sourced_id]["consents"]


def test_a_principal_suspends_a_student_and_the_snapshot_follows(
    demo: Demo, data_dir: Path
) -> None:
    principal = demo.people["principal"]
    client = as_role(demo, "principal")
    from schoolgate.control.access.scope import visible_people

    student = visible_people(demo.users["principal"], "record").filter(role="student").first()
    assert student is not None
    bad = client.post(f"/people/{student.sourced_id}/suspend/", {"scope": "internet", "days": "0"})
    assert bad.status_code == 400
    response = client.post(
        f"/people/{student.sourced_id}/suspend/",
        {"scope": "internet", "days": "3", "reason": "repeated proxy use"},
    )
    assert response.status_code == 302 and "done=suspended" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "snapshot is published" in page and "repeated proxy use" in page
    snapshot = json.loads((data_dir / "snapshot.json").read_text())
    (sanction,) = snapshot["records"]["users"][student.sourced_id]["sanctions"]
    assert sanction["reason"] == "repeated proxy use"
    assert sanction["decided_by"] == principal.sourced_id
    dashboard = client.get("/").content.decode()
    assert "<strong>1</strong> active sanctions" in dashboard
