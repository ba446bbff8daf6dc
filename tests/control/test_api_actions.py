"""What the API's actions change: a guardian's consent and a principal's suspension and lift
reach the records and the published snapshot; a lease upload reaches the address feed; CSRF
guards session callers and not token callers."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.consents.models import ConsentRecord

from .api_fixtures import client_for, demo, district, snapshot_records
from .conftest import LEASES
from .console_fixtures import Demo

__all__ = ["demo", "district"]


def test_a_guardian_grants_and_withdraws_consent_and_the_snapshot_follows(
    demo: Demo, data_dir: Path
) -> None:
    guardian, child = demo.people["guardian"], demo.people["student"]
    client = client_for(demo, "guardian", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="api-test")
    grant = {"person": child.sourced_id, "consent": "publish-photo", "action": "grant",
             "typed_name": guardian.display_name}  # fmt: skip
    response = client.post("/api/v1/consents", grant, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["consent"], body["action"], body["person"]) == (
        "publish-photo",
        "grant",
        child.sourced_id,
    )
    assert body["published"]
    saved = ConsentRecord.objects.get(on_behalf_of=child)
    assert (saved.signer, saved.ip_address, saved.user_agent) == (guardian, "192.0.2.7", "api-test")
    users = snapshot_records(data_dir)["users"]
    assert "publish-photo" in users[child.sourced_id]["consents"]
    listed = client.get("/api/v1/consents", {"person": child.sourced_id}).json()["results"]
    (row,) = [c for c in listed[0]["consents"] if c["consent"] == "publish-photo"]
    assert row["state"] == "given"

    withdraw = {**grant, "action": "revoke"}
    assert (
        client.post("/api/v1/consents", withdraw, content_type="application/json").status_code
        == 201
    )
    assert "publish-photo" not in snapshot_records(data_dir)["users"][child.sourced_id]["consents"]
    assert AccessLogEntry.objects.filter(subject=child, purpose="consent").exists()


def test_a_principal_suspends_and_lifts_and_the_snapshot_follows(
    demo: Demo, data_dir: Path
) -> None:
    from schoolgate.control.access.scope import visible_people

    principal = demo.people["principal"]
    student = visible_people(demo.users["principal"], "record").filter(role="student").first()
    assert student is not None
    client = client_for(demo, "principal")
    response = client.post(
        "/api/v1/sanctions",
        {
            "person": student.sourced_id,
            "scope": "internet",
            "days": 3,
            "reason": "repeated proxy use",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["published"] and body["sanction"]["reason"] == "repeated proxy use"
    sanction = Sanction.objects.get(person=student)
    assert sanction.decided_by == principal and sanction.pk == body["sanction"]["id"]
    (published,) = snapshot_records(data_dir)["users"][student.sourced_id]["sanctions"]
    assert published["reason"] == "repeated proxy use"
    assert published["decided_by"] == principal.sourced_id

    listed = client.get("/api/v1/sanctions", {"person": student.sourced_id}).json()
    assert [row["id"] for row in listed["results"]] == [sanction.pk]
    lifted = client.post(
        f"/api/v1/sanctions/{sanction.pk}/lift", {"reason": "appeal upheld"},
        content_type="application/json",
    )  # fmt: skip
    assert lifted.status_code == 200, lifted.content
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None and sanction.lifted_by_name == principal.display_name
    assert not snapshot_records(data_dir)["users"][student.sourced_id].get("sanctions")
    again = client.post(
        f"/api/v1/sanctions/{sanction.pk}/lift", {"reason": "twice"},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 400 and "already lifted" in again.json()["error"]


def test_a_lease_upload_reaches_the_address_feed(demo: Demo, data_dir: Path) -> None:
    from schoolgate.control.networks.services import register_device

    student = demo.people["student"]
    register_device("00:1A:2B:3C:4D:5E", student)
    client = client_for(demo, "token:both")
    assert client.get("/api/v1/addresses").json()["addresses"] == {}
    upload = SimpleUploadedFile("dhcpd.leases", (LEASES / "dhcpd.leases").read_bytes())
    response = client.post("/api/v1/leases", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "isc" and body["matched"] == 1 and body["published"]
    feed = client.get("/api/v1/addresses").json()["addresses"]
    assert feed == {"10.20.0.17": student.sourced_id}
    assert snapshot_records(data_dir)["addresses"] == feed


def test_session_callers_need_csrf_and_token_callers_do_not(demo: Demo) -> None:
    guardian, child = demo.people["guardian"], demo.people["student"]
    body = {"person": child.sourced_id, "consent": "publish-photo", "action": "grant",
            "typed_name": guardian.display_name}  # fmt: skip
    client = client_for(demo, "guardian", enforce_csrf_checks=True)
    refused = client.post("/api/v1/consents", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    assert not ConsentRecord.objects.filter(on_behalf_of=child).exists()
    client.get("/login/")  # the CSRF cookie comes from the console's pages
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/consents", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content

    machine = client_for(demo, "token:leases", enforce_csrf_checks=True)
    kea = SimpleUploadedFile("leases4.csv", (LEASES / "leases4.csv").read_bytes())
    assert machine.post("/api/v1/leases", {"file": kea}).status_code == 200


def test_a_bearer_header_is_never_passed_on_to_the_session(demo: Demo) -> None:
    client = client_for(demo, "administrator")
    assert client.get("/api/v1/people").status_code == 200
    for header in ("Bearer sgt_not-a-real-token", "Basic YWRtaW46YWRtaW4=", "Bearer"):
        response = client.get("/api/v1/people", headers={"authorization": header})
        assert response.status_code == 401, header
        assert "sgt_not-a-real-token" not in response.content.decode()


def test_a_machine_sees_nobody_even_through_scope() -> None:
    """The last line of defence: `visible_people` gives a machine principal nobody."""
    from schoolgate.control.access.scope import may, visible_people
    from schoolgate.control.api.auth import Machine
    from schoolgate.control.api.models import MachineToken

    machine = Machine(MachineToken(name="x", scopes=["addresses:read"]))
    assert not visible_people(machine, "directory").exists()  # type: ignore[arg-type]
    assert not may(machine, "suspend")  # type: ignore[arg-type]


def test_anonymous_client_gets_json(demo: Demo) -> None:
    response = Client().get("/api/v1/people/does-not-matter")
    assert response.status_code == 401 and response["Content-Type"] == "application/json"
    assert "error" in response.json()
