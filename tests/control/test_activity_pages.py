"""The event log, its CSV export and the dashboard's activity widgets: search filters, CSV
content and injection safety, the access log, and the scoping matrix of every role against the
oracle in console_fixtures (not against the code under test)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.activity.ingest import ingest
from schoolgate.control.activity.models import FilterEvent
from schoolgate.control.people.models import Person

from .activity_fixtures import dns_record, write_spool
from .console_fixtures import ROLES, Demo, demo, oracle

__all__ = ["demo"]


def client_for(demo: Demo, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(demo.users[role])
    return client


@pytest.fixture
def events(demo: Demo, tmp_path: Path) -> dict[str, Any]:
    """For every person: one allowed and one blocked, bypassing request; one of each with no
    known person; and a few crafted to test search and CSV safety."""
    now = time.time()
    people = list(Person.objects.order_by("pk"))
    records = []
    for i, p in enumerate(people):
        at = now - 3600 - i
        records.append(dns_record(f"learn{i}.test", user=p.sourced_id, at=at))
        records.append(
            dns_record(
                f"www.proxy{i}.test",
                user=p.sourced_id,
                at=at - 0.5,
                categories=["redirector", "filter-bypass"],
                action="block",
                bypass_kind="rule",
            )
        )
    records.append(dns_record("guest.test", client="10.9.9.9", at=now - 10))
    records.append(
        dns_record("=cmd|' /C calc'!A0.test", client="10.9.9.9", at=now - 5, categories=["games"],
                   action="block", rule="@evil", bypass_kind="https-record")
    )  # fmt: skip
    student = demo.people["student"]
    records.append(
        dns_record("www.games.test", user=student.sourced_id, at=now - 20, categories=["games"],
                   action="block")
    )  # fmt: skip
    records.append(dns_record("old.games.test", user=student.sourced_id, at=now - 40 * 86400))
    write_spool(tmp_path / "spool", records)
    result = ingest(tmp_path / "spool")
    assert result.stored == len(records) and result.malformed == 0
    return {"people": people}


def expected_people(demo: Demo, role: str, people: list[Person]) -> set[int]:
    viewer = demo.people.get(role)
    return {p.pk for p in people if oracle(role, viewer, p)}


def sees_everything(role: str) -> bool:
    return role in ("administrator", "technology-manager")


def all_rows(client: Client, query: str = "") -> list[FilterEvent]:
    """Every row of a search, following the pages' cursors."""
    rows: list[FilterEvent] = []
    url = f"/events/?{query}"
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200
        rows.extend(response.context["rows"])
        if not response.context["next"]:
            return rows
        url = f"/events/?{response.context['query']}&after={response.context['next']}"
    raise AssertionError("too many pages")


def csv_rows(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/events.csv?{query}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("role", ROLES)
def test_scoping_matrix_event_log_export_and_dashboard(
    demo: Demo, events: dict[str, Any], role: str
) -> None:
    client = client_for(demo, role)
    if role == "anonymous":
        for url in ("/events/", "/events.csv", "/"):
            response = client.get(url)
            assert response.status_code == 302 and "/login/" in response["Location"]
        return
    people = events["people"]
    allowed = expected_people(demo, role, people)
    by_id = {p.sourced_id: p.pk for p in people}
    everyone = sees_everything(role)

    shown = all_rows(client)
    assert {e.person_id for e in shown if e.person_id} == allowed
    assert any(e.person_id is None for e in shown) is everyone
    # each visible person's events are all there: learn, proxy (+ games and old for the student)
    assert len([e for e in shown if e.person_id]) == 2 * len(allowed) + (
        2 if demo.people["student"].pk in allowed else 0
    )

    tagged = all_rows(client, "category=redirector")  # the category index path, same scope
    assert {e.person_id for e in tagged} == allowed

    exported = csv_rows(client)
    assert {by_id[r["person_id"]] for r in exported if r["person_id"]} == allowed
    assert any(not r["person_id"] for r in exported) is everyone
    assert len(exported) == len(shown)

    response = client.get("/")
    assert response.status_code == 200
    bypass = response.context["bypass_attempts"]
    assert {e.person_id for e in bypass if e.person_id} <= allowed
    visible_bypass = len(allowed) + (1 if everyone else 0)
    assert len(bypass) == min(20, visible_bypass)
    chart = response.context["block_chart"]
    blocked_visible = len(allowed) + (1 if demo.people["student"].pk in allowed else 0)
    assert sum(chart.totals) == blocked_visible + (1 if everyone else 0)


def test_every_person_shown_is_in_the_access_log(demo: Demo, events: dict[str, Any]) -> None:
    client = client_for(demo, "teacher")
    AccessLogEntry.objects.all().delete()
    shown = all_rows(client)
    logged = set(
        AccessLogEntry.objects.filter(what="activity", purpose="activity").values_list(
            "subject_id", flat=True
        )
    )
    assert logged == {e.person_id for e in shown} and logged
    csv_rows(client)
    exported = set(
        AccessLogEntry.objects.filter(what="activity-export").values_list("subject_id", flat=True)
    )
    assert exported == logged
    client.get("/")
    on_dashboard = set(
        AccessLogEntry.objects.filter(what="bypass-attempts").values_list("subject_id", flat=True)
    )
    assert on_dashboard and on_dashboard <= logged


def test_search_filters(demo: Demo, events: dict[str, Any]) -> None:
    client = client_for(demo, "administrator")
    student = demo.people["student"]
    mine = all_rows(client, f"person={student.sourced_id}")
    assert {e.person_id for e in mine} == {student.pk} and len(mine) == 4
    by_name = all_rows(client, f"person={student.family_name}")
    assert student.pk in {e.person_id for e in by_name}
    assert [e.domain for e in all_rows(client, "domain=www.games.test")] == ["www.games.test"]
    assert {e.domain for e in all_rows(client, "domain=*.games.test")} == {
        "www.games.test",
        "old.games.test",
    }
    games = all_rows(client, "category=games")
    assert {e.domain for e in games} == {"www.games.test", "=cmd|' /c calc'!a0.test"}
    assert all_rows(client, "category=game") == []  # a category is matched whole
    blocked = all_rows(client, "action=blocked")
    assert blocked and all(e.blocked for e in blocked)
    assert all(e.action == "allow" for e in all_rows(client, "action=allow"))
    assert all(e.bypass for e in all_rows(client, "bypass=on"))
    today = time.strftime("%Y-%m-%d", time.gmtime())
    recent = all_rows(client, f"since={today}&person={student.sourced_id}")
    assert "old.games.test" not in {e.domain for e in recent}
    old = all_rows(client, f"until=2000-01-01&person={student.sourced_id}")
    assert old == []


def test_a_bad_search_is_an_error_not_everything(demo: Demo, events: dict[str, Any]) -> None:
    client = client_for(demo, "administrator")
    response = client.get("/events/?since=2026-10-05&until=2026-10-01")
    assert response.status_code == 200 and response.context["rows"] == []
    assert "start date is after" in response.content.decode()
    assert client.get("/events.csv?since=not-a-date").status_code == 400


def test_the_page_works_without_javascript_and_labels_every_field(
    demo: Demo, events: dict[str, Any]
) -> None:
    html = client_for(demo, "administrator").get("/events/").content.decode()
    assert "<script" not in html
    for name in ("person", "domain", "category", "action", "bypass", "since", "until"):
        assert f'for="id_{name}"' in html and f'id="id_{name}"' in html
    assert 'method="get"' in html and 'href="/events/"' in html  # in the navigation


def test_csv_cells_cannot_become_formulas(demo: Demo, events: dict[str, Any]) -> None:
    rows = csv_rows(client_for(demo, "administrator"), "category=games")
    crafted = next(r for r in rows if "calc" in r["domain"])
    assert crafted["domain"].startswith("'=")
    assert crafted["rule"] == "'@evil"
    assert crafted["bypass"] == "yes" and crafted["bypass_kind"] == "https-record"
    student = demo.people["student"]
    mine = next(r for r in rows if r["person_id"] == student.sourced_id)
    assert mine["person"] == student.display_name and mine["categories"] == "games"
    assert mine["action"] == "block" and mine["snapshot_revision"] == "ab" * 32
    assert mine["clause"] == "ces/internet-safety#1"


def test_the_dashboard_chart_has_a_table_alternative(demo: Demo, events: dict[str, Any]) -> None:
    html = client_for(demo, "administrator").get("/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "Blocked requests per day and category" in html
    assert "redirector" in html and "filter-bypass" in html
    assert "Recent bypass attempts" in html


def test_an_exact_id_names_one_person_even_inside_another_s_name(
    demo: Demo, events: dict[str, Any]
) -> None:
    """The class page and a record link to `?person=<id>`; a name holding that id as text must
    not add its owner's events (it did: the id was also searched for in names)."""
    student = demo.people["student"]
    other = Person.objects.exclude(pk=student.pk).filter(role="student").order_by("pk").first()
    assert other is not None
    Person.objects.filter(pk=other.pk).update(family_name=f"Mc{student.sourced_id}")
    client = client_for(demo, "administrator")
    assert {e.person_id for e in all_rows(client, f"person={student.sourced_id}")} == {student.pk}
    # a text that is no one's id still finds names
    assert {e.person_id for e in all_rows(client, f"person=Mc{student.sourced_id}")} == {other.pk}
