"""The review pages × every role, against requests from people on both sides of each
relationship. Who may see a request is who may see its requester, by the independent `oracle`;
who may approve is the `approve-review` roles among them; every request shown is logged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.reviews.models import ReviewRequest, SiteException

from .console_fixtures import ROLES, Demo, demo, oracle
from .test_console_matrix import client_for, targets
from .test_reviews import request_from

__all__ = ["demo"]

APPROVERS = {"teacher", "principal", "technology-manager", "administrator"}


def requests_by(demo: Demo, spool: Path) -> dict[str, ReviewRequest]:
    found = targets(demo)
    return {
        name: request_from(spool, person, f"www.{name}.example") for name, person in found.items()
    }


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_review_requests(demo: Demo, role: str, tmp_path: Path) -> None:
    requests = requests_by(demo, tmp_path / "spool")
    client = client_for(demo, role)
    viewer = demo.people.get(role)
    listing = client.get("/reviews/")
    if role == "anonymous":
        assert listing.status_code == 302 and "/login/" in listing["Location"]
        for request in requests.values():
            assert client.get(f"/reviews/{request.pk}/").status_code == 302
        return
    assert listing.status_code == 200
    body = listing.content.decode()
    for name, request in requests.items():
        allowed = oracle(role, viewer, request.requester)
        assert (f"/reviews/{request.pk}/" in body) == allowed, (name, "listing")
        before = AccessLogEntry.objects.filter(subject=request.requester, purpose="review").count()
        detail = client.get(f"/reviews/{request.pk}/")
        assert detail.status_code == (200 if allowed else 404), (name, detail.status_code)
        after = AccessLogEntry.objects.filter(subject=request.requester, purpose="review").count()
        assert (after > before) == allowed, (name, "access log")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_approve_for_a_student(demo: Demo, role: str, tmp_path: Path) -> None:
    requests = requests_by(demo, tmp_path / "spool")
    client = client_for(demo, role)
    viewer = demo.people.get(role)
    until = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    for name in ("pupil", "elsewhere"):
        request = requests[name]
        form = {
            "scope": "person",
            "domain": request.domain,
            "until": until,
            "reason": "research project",
        }
        response = client.post(f"/reviews/{request.pk}/approve/", form)
        if role == "anonymous":
            expected = 302
        elif role not in APPROVERS:
            expected = 403
        else:
            expected = 302 if oracle(role, viewer, request.requester) else 404
        assert response.status_code == expected, (name, response.status_code)
        approved = SiteException.objects.filter(person=request.requester).exists()
        assert approved == (expected == 302 and role != "anonymous"), name


@pytest.mark.parametrize("role", ROLES)
def test_the_exceptions_page_is_for_approvers(demo: Demo, role: str) -> None:
    response = client_for(demo, role).get("/exceptions/")
    expected = 302 if role == "anonymous" else 200 if role in APPROVERS else 403
    assert response.status_code == expected
