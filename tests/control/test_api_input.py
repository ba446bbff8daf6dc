"""Bad input gets a 400 (or 413/415) that names the field or line, never a 500, and changes
nothing stored: no record, no snapshot change pending."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schoolgate.control.conduct.models import Sanction
from schoolgate.control.consents.models import ConsentRecord
from schoolgate.control.networks.models import AddressAssignment
from schoolgate.control.publication.services import pending

from .api_fixtures import client_for, demo, district, targets
from .conftest import LEASES
from .console_fixtures import Demo

__all__ = ["demo", "district"]


def stored() -> tuple[Any, ...]:
    return (
        Sanction.objects.count(),
        ConsentRecord.objects.count(),
        AddressAssignment.objects.count(),
        pending(),
    )


GOOD = {"scope": "internet", "days": 3, "reason": "proxy"}
BAD_SUSPENSIONS = [
    ({**GOOD, "days": "3"}, "days"),  # a string of digits is not a number
    ({**GOOD, "days": 3.5}, "days"),
    ({**GOOD, "days": True}, "days"),
    ({**GOOD, "days": 0}, "days"),
    ({**GOOD, "days": 366}, "days"),
    ({**GOOD, "reason": 12}, "reason"),  # a number is not text
    ({**GOOD, "reason": ""}, "reason"),
    ({**GOOD, "reason": "x" * 501}, "reason"),
    ({**GOOD, "scope": "everything"}, "scope"),
    ({**GOOD, "scope": ["internet"]}, "scope"),
    ({**GOOD, "extra": 1}, "extra"),  # unknown fields are refused by name
    ({"scope": "internet", "days": 3}, "reason"),  # a missing field
]


@pytest.mark.parametrize(("body", "field"), BAD_SUSPENSIONS)
def test_bad_suspensions_name_the_field(demo: Demo, body: dict[str, Any], field: str) -> None:
    pupil = targets(demo)["pupil"]
    before = stored()
    response = client_for(demo, "administrator").post(
        "/api/v1/sanctions", {"person": pupil.sourced_id, **body}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["error"].startswith(f"{field}: ") and field in error["fields"], error
    assert stored() == before


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "says"),
    [
        ('{"person": ', "application/json", 400, "JSON parse error"),
        ("[1, 2]", "application/json", 400, "Expected a dictionary"),
        ('"text"', "application/json", 400, "Expected a dictionary"),
        ("", "application/json", 400, "field is required"),
        ("person=x", "application/x-www-form-urlencoded", 415, "Unsupported media type"),
        ('{"a": 1}', "text/plain", 415, "Unsupported media type"),
        ("\xff\xfe", "application/json", 400, "JSON parse error"),
    ],
)
def test_bodies_that_are_not_a_json_object(
    demo: Demo, raw: str, content_type: str, status: int, says: str
) -> None:
    before = stored()
    response = client_for(demo, "administrator").post(
        "/api/v1/sanctions", raw, content_type=content_type
    )
    assert response.status_code == status, response.content
    assert says in response.json()["error"]
    assert stored() == before


def test_a_huge_body_is_refused_unread(demo: Demo) -> None:
    before = stored()
    body = '{"reason": "' + "x" * 100_000 + '"}'
    response = client_for(demo, "administrator").post(
        "/api/v1/sanctions", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "at most 65536" in response.json()["error"]
    assert stored() == before


def test_bad_consents_name_the_field(demo: Demo) -> None:
    guardian, child = demo.people["guardian"], demo.people["student"]
    client = client_for(demo, "guardian")
    good = {"person": child.sourced_id, "consent": "publish-photo", "action": "grant",
            "typed_name": guardian.display_name}  # fmt: skip
    before = stored()
    for change, field in [
        ({"consent": "no-such-consent"}, "consent"),
        ({"action": "maybe"}, "action"),
        ({"typed_name": "   "}, "typed_name"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"expires_at": 5}, "expires_at"),
    ]:
        response = client.post(
            "/api/v1/consents", {**good, **change}, content_type="application/json"
        )
        assert response.status_code == 400, (change, response.content)
        assert response.json()["error"].startswith(f"{field}: "), response.json()
    assert stored() == before


@pytest.mark.parametrize(
    "name",
    ["bad-address.csv", "bad-header.csv", "bad-mac.leases", "bad-time.leases", "unclosed.leases"],
)
def test_bad_lease_files_name_the_line_and_change_nothing(demo: Demo, name: str) -> None:
    before = stored()
    upload = SimpleUploadedFile(name, (LEASES / "bad" / name).read_bytes())
    response = client_for(demo, "token:leases").post("/api/v1/leases", {"file": upload})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error.startswith(f"file: {name}:"), error  # file: NAME:LINE: what is wrong
    assert stored() == before


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({}, "file"),
        ({"file": "not a file"}, "file"),
        ({"format": "dhcpv6"}, "format"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_bad_lease_uploads_name_the_field(demo: Demo, form: dict[str, Any], field: str) -> None:
    before = stored()
    if field != "file":
        form["file"] = SimpleUploadedFile("leases4.csv", (LEASES / "leases4.csv").read_bytes())
    response = client_for(demo, "token:leases").post("/api/v1/leases", form)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert stored() == before


def test_binary_garbage_is_a_bad_lease_file(demo: Demo) -> None:
    before = stored()
    client = client_for(demo, "token:leases")
    for name in ("dhcpd.leases", "leases4.csv"):
        upload = SimpleUploadedFile(name, bytes(range(256)) * 4)
        response = client.post("/api/v1/leases", {"file": upload})
        assert response.status_code == 400, response.content
    assert stored() == before


def test_a_lease_file_over_the_limit_is_refused(demo: Demo) -> None:
    from schoolgate.control.api.views import machines

    before = stored()
    limit = machines.Leases.max_body
    machines.Leases.max_body = 1000
    try:
        upload = SimpleUploadedFile("leases4.csv", b"x" * 2000)
        response = client_for(demo, "token:leases").post("/api/v1/leases", {"file": upload})
    finally:
        machines.Leases.max_body = limit
    assert response.status_code == 413
    assert stored() == before


@pytest.mark.parametrize(
    ("route", "params", "field"),
    [
        ("/api/v1/people", {"role": "wizard"}, "role"),
        ("/api/v1/people", {"acknowledgment": "maybe"}, "acknowledgment"),
        ("/api/v1/people", {"q": "x" * 101}, "q"),
        ("/api/v1/incidents", {"status": "lost"}, "status"),
    ],
)
def test_bad_query_strings_name_the_parameter(
    demo: Demo, route: str, params: dict[str, str], field: str
) -> None:
    response = client_for(demo, "administrator").get(route, params)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}: ")


def test_ids_out_of_any_range_are_404s(demo: Demo) -> None:
    client = client_for(demo, "administrator")
    huge = "9" * 40
    assert client.get(f"/api/v1/incidents/{huge}").status_code == 404
    lift = client.post(
        f"/api/v1/sanctions/{huge}/lift", {"reason": "x"}, content_type="application/json"
    )
    assert lift.status_code == 404
    assert client.get("/api/v1/people", {"page": 10_000}).status_code == 404
    assert client.get("/api/v1/people/%00").status_code == 404
