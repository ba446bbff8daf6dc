"""Incidents from bypass attempts: the resolver's records go through a real spool and the
ingester, and the third attempt in 24 hours opens one incident for the student's principal —
not a second for the fourth attempt or a re-read, none when turned off or for an unknown user."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from schoolgate.control.access.scope import visible_incidents
from schoolgate.control.activity.bypass import due, summary
from schoolgate.control.activity.ingest import Ingester, ingest
from schoolgate.control.activity.models import FilterEvent
from schoolgate.control.conduct.models import Incident
from schoolgate.control.conduct.services import resolve_incident
from schoolgate.control.config import ConfigError, bypass_incident_after

from .activity_fixtures import dns_record, write_spool
from .console_fixtures import Demo, demo, oracle

__all__ = ["demo"]

RULE, CLAUSE = "block-proxies", "ces/internet-safety#4"


def attempt(user: str, domain: str, at: float | None = None) -> bytes:
    """A blocked proxy lookup flagged as a bypass, as the resolver logs it."""
    return dns_record(
        domain,
        user=user,
        at=at,
        categories=["redirector"],
        action="block",
        rule=RULE,
        clause=CLAUSE,
        bypass_kind="rule",
    )


def feed(spool: Path, records: list[bytes], capture: Any) -> None:
    write_spool(spool, records)  # type: ignore[arg-type]
    with capture(execute=True):
        ingest(spool)


def student_of_principal(demo: Demo) -> Any:
    student = demo.people["student"]
    assert oracle("principal", demo.people["principal"], student)
    return student


# ------------------------------------------------------------------ the pure parts


def test_due_needs_the_threshold_and_no_open_incident() -> None:
    counts = {1: 2, 2: 3, 3: 7, 4: 3}
    assert due(counts, already_open={4}, threshold=3) == [2, 3]
    assert due(counts, already_open=(), threshold=1) == [1, 2, 3, 4]
    assert due(counts, already_open=(), threshold=0) == []
    assert due({}, already_open=(), threshold=3) == []


def test_summary_names_a_few_domains() -> None:
    assert summary(3, ["proxy.example", "vpn.example"]) == (
        "3 attempts to get around the filter in 24 hours (proxy.example, vpn.example)"
    )
    assert summary(5, ["a.test", "b.test", "c.test", "d.test"]).endswith(
        "(a.test, b.test, c.test, …)"
    )
    assert summary(1, []) == "1 attempt to get around the filter in 24 hours"


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 3), ("", 3), ("0", 0), (" 5 ", 5), ("10000", 10_000)]
)
def test_the_threshold_setting(raw: str | None, expected: int) -> None:
    env = {} if raw is None else {"SCHOOLGATE_BYPASS_INCIDENT_AFTER": raw}
    assert bypass_incident_after(env) == expected


@pytest.mark.parametrize("raw", ["three", "2.5", "-1", "10001"])
def test_a_bad_threshold_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="SCHOOLGATE_BYPASS_INCIDENT_AFTER"):
        bypass_incident_after({"SCHOOLGATE_BYPASS_INCIDENT_AFTER": raw})


# ------------------------------------------------------------------ through the ingester


def test_the_third_attempt_opens_one_incident_for_the_principal(
    demo: Demo, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    student = student_of_principal(demo)
    spool = tmp_path / "spool"
    feed(
        spool,
        [attempt(student.sourced_id, "proxy.example"), attempt(student.sourced_id, "vpn.example")],
        django_capture_on_commit_callbacks,
    )
    assert not Incident.objects.exists()

    feed(spool, [attempt(student.sourced_id, "proxy.example")], django_capture_on_commit_callbacks)
    (incident,) = Incident.objects.all()
    assert incident.subject == student and incident.status == "open"
    assert (incident.source, incident.severity) == ("filter", "medium")
    assert incident.summary == (
        "3 attempts to get around the filter in 24 hours (proxy.example, vpn.example)"
    )
    assert incident.decision is not None
    assert incident.decision["rules"] == [RULE]
    assert incident.decision["clauses"] == [{"id": CLAUSE}]
    latest = FilterEvent.objects.order_by("-seq").first()
    assert latest is not None and incident.event_id == f"filter-event-{latest.pk}"
    assert incident.history.get().action == "opened"

    principal = Client()
    principal.force_login(demo.users["principal"])
    page = principal.get("/incidents/")
    assert page.status_code == 200
    assert incident.summary in page.content.decode()
    detail = principal.get(f"/incidents/{incident.pk}/").content.decode()
    assert "by the filter, from bypass attempts" in detail and RULE in detail

    teacher = Client()
    teacher.force_login(demo.users["teacher"])
    assert teacher.get("/incidents/").status_code == 403
    assert teacher.get(f"/incidents/{incident.pk}/").status_code == 403
    assert not visible_incidents(demo.users["teacher"]).exists()

    # a fourth attempt: the open incident covers it
    feed(spool, [attempt(student.sourced_id, "proxy2.example")], django_capture_on_commit_callbacks)
    assert Incident.objects.count() == 1


def test_records_read_again_open_no_second_incident(
    demo: Demo, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    student = student_of_principal(demo)
    spool = tmp_path / "spool"
    write_spool(spool, [attempt(student.sourced_id, f"p{i}.example") for i in range(3)])  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=False):
        Ingester(spool).run()  # stored, then the process dies before the offset is committed
    assert Incident.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = Ingester(spool).run()
    assert (again.read, again.duplicates, again.stored) == (3, 3, 0)
    assert Incident.objects.count() == 1


def test_a_rollback_takes_the_incident_with_the_events(
    demo: Demo, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    student = student_of_principal(demo)
    spool = tmp_path / "spool"
    write_spool(spool, [attempt(student.sourced_id, f"p{i}.example") for i in range(3)])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError), transaction.atomic():
        Ingester(spool).run()
        assert Incident.objects.count() == 1
        raise RuntimeError("the database went away before the commit")
    assert not FilterEvent.objects.exists() and not Incident.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        Ingester(spool).run()
    assert Incident.objects.count() == 1


def test_threshold_zero_opens_none(
    demo: Demo, tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SCHOOLGATE_BYPASS_INCIDENT_AFTER = 0
    student = student_of_principal(demo)
    records = [attempt(student.sourced_id, f"p{i}.example") for i in range(5)]
    feed(tmp_path / "spool", records, django_capture_on_commit_callbacks)
    assert FilterEvent.objects.filter(bypass=True).count() == 5
    assert not Incident.objects.exists()


def test_an_unknown_user_opens_none(
    demo: Demo, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    records = [attempt("nobody-we-know", f"p{i}.example") for i in range(4)]
    feed(tmp_path / "spool", records, django_capture_on_commit_callbacks)
    assert FilterEvent.objects.filter(bypass=True, person__isnull=True).count() == 4
    assert not Incident.objects.exists()


def test_only_the_last_24_hours_count_and_after_a_resolved_incident_only_new_attempts(
    demo: Demo, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    student = student_of_principal(demo)
    spool = tmp_path / "spool"
    yesterday = time.time() - 25 * 3600
    old = [attempt(student.sourced_id, f"old{i}.example", at=yesterday) for i in range(2)]
    feed(
        spool,
        [*old, attempt(student.sourced_id, "new.example")],
        django_capture_on_commit_callbacks,
    )
    assert not Incident.objects.exists()
    # other blocks (not bypass attempts) do not count either
    feed(
        spool,
        [dns_record("games.test", user=student.sourced_id, action="block")] * 3,
        django_capture_on_commit_callbacks,
    )
    assert not Incident.objects.exists()
    feed(
        spool, [attempt(student.sourced_id, "new.example")] * 2, django_capture_on_commit_callbacks
    )
    (first,) = Incident.objects.all()
    resolve_incident(first, "talked with the student")
    # Once resolved, only attempts made after it count: one more try is not a new incident...
    feed(spool, [attempt(student.sourced_id, "again.example")], django_capture_on_commit_callbacks)
    assert Incident.objects.count() == 1
    # ...three are.
    feed(
        spool,
        [attempt(student.sourced_id, "again.example")] * 2,
        django_capture_on_commit_callbacks,
    )
    assert Incident.objects.count() == 2
