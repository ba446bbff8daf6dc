"""Who has not signed, per school: the dashboard's table and the directory's filters.

HR's September work in SCENARIOS.md ("HR sees who is still missing per school"). Who each role
may see comes from the oracle in console_fixtures (raw tables), who must sign and who has from
`acknowledgment_status`, and a person's schools from the raw primary org and role rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.agreements.services import acknowledgment_status, current_pack, sign
from schoolgate.control.people.models import Org, Person, PersonRole

from .console_fixtures import Demo, demo, oracle

__all__ = ["demo"]


def client_for(demo: Demo, role: str) -> Client:
    client = Client()
    client.force_login(demo.users[role])
    return client


def seen_by(demo: Demo, role: str) -> list[Person]:
    viewer = demo.people[role]
    return [p for p in Person.objects.filter(active=True) if oracle(role, viewer, p)]


def schools(person: Person) -> set[int]:
    roles = PersonRole.objects.filter(person=person, active=True, org__isnull=False)
    found = set(roles.values_list("org_id", flat=True))
    return found | ({person.primary_org_id} if person.primary_org_id else set())


def status() -> dict[int, bool]:
    return acknowledgment_status(current_pack().pack, timezone.now())


@pytest.fixture
def some_signed(demo: Demo) -> list[Person]:
    """Every third person who must sign has signed."""
    must = sorted(status())
    chosen = list(Person.objects.filter(pk__in=must[::3]))
    for person in chosen:
        sign(person, typed_name=person.display_name)
    return chosen


def listed(client: Client, query: str) -> tuple[list[Any], Any]:
    """Every person the directory lists for `query`, over all its pages, and the last answer."""
    people, page, answer = [], 1, None
    while True:
        answer = client.get(f"/people/?{query}&page={page}")
        assert answer.status_code == 200
        people += [row["person"] for row in answer.context["rows"]]
        if not answer.context["page"].has_next():
            return people, answer
        page += 1


@pytest.mark.parametrize("role", ["hr", "principal", "administrator"])
def test_the_dashboard_counts_per_school_over_the_people_one_may_see(
    demo: Demo, some_signed: list[Person], role: str
) -> None:
    state = status()
    expected: dict[int, list[int]] = {}
    for person in seen_by(demo, role):
        if person.pk in state:
            for org in schools(person) or {0}:
                expected.setdefault(org, [0, 0])
                expected[org][0] += 1
                expected[org][1] += int(state[person.pk])
    rows = client_for(demo, role).get("/").context["by_school"]
    assert {r.org: [r.required, r.signed] for r in rows} == expected
    assert [r.outstanding for r in rows] == sorted((r.outstanding for r in rows), reverse=True)


def test_the_dashboard_links_each_school_s_outstanding_people(
    demo: Demo, some_signed: list[Person]
) -> None:
    html = client_for(demo, "administrator").get("/").content.decode()
    links = re.findall(r'href="/people/\?agreement=outstanding&amp;school=(\d+)"', html)
    assert links and all(Org.objects.filter(pk=int(pk)).exists() for pk in links)
    assert 'href="/people/?agreement=outstanding"' in html


@pytest.mark.parametrize("role", ["hr", "principal", "administrator"])
@pytest.mark.parametrize("state", ["outstanding", "signed", "not-required"])
def test_the_directory_lists_exactly_the_people_in_an_agreement_state(
    demo: Demo, some_signed: list[Person], role: str, state: str
) -> None:
    done = status()
    want = {
        p.pk
        for p in seen_by(demo, role)
        if state == {True: "signed", False: "outstanding", None: "not-required"}[done.get(p.pk)]
    }
    people, _ = listed(client_for(demo, role), f"agreement={state}")
    assert {p.pk for p in people} == want and len(people) == len(want)
    if state == "signed":
        assert want  # the fixture signed some of everyone's people


def test_the_directory_filters_by_school(demo: Demo, some_signed: list[Person]) -> None:
    client = client_for(demo, "administrator")
    for org in Org.objects.filter(type="school"):
        want = {p.pk for p in seen_by(demo, "administrator") if org.pk in schools(p)}
        people, _ = listed(client, f"school={org.pk}")
        assert {p.pk for p in people} == want and want
    both, _ = listed(client, f"school={org.pk}&agreement=outstanding")
    assert {p.pk for p in both} == {pk for pk in want if status().get(pk) is False}


def test_a_school_one_may_not_see_is_no_choice_and_lists_nobody(demo: Demo) -> None:
    principal = demo.people["principal"]
    theirs = schools(principal)
    other = Org.objects.filter(type="school").exclude(pk__in=theirs).first()
    assert other is not None
    answer = client_for(demo, "principal").get(f"/people/?school={other.pk}")
    page = answer.content.decode()
    assert answer.status_code == 200 and answer.context["rows"] == []
    assert "Nobody is listed" in page and f'value="{other.pk}"' not in page
    assert not AccessLogEntry.objects.filter(what="directory").exists()


@pytest.mark.parametrize(
    "query", ["agreement=maybe", "school=abc", "school=99999999999999999999999", "q=a%00b"]
)
def test_bad_filters_are_a_message_not_an_error(demo: Demo, query: str) -> None:
    answer = client_for(demo, "hr").get(f"/people/?{query}")
    assert answer.status_code == 200 and answer.context["rows"] == []
    assert "Nobody is listed" in answer.content.decode()


def test_the_next_page_keeps_the_filters_and_only_listed_people_are_logged(demo: Demo) -> None:
    client = client_for(demo, "administrator")
    first = client.get("/people/?agreement=outstanding")
    assert first.context["page"].has_next()  # more than 50 have not signed
    assert 'href="?agreement=outstanding&amp;page=2"' in first.content.decode()
    logged = set(
        AccessLogEntry.objects.filter(what="directory").values_list("subject_id", flat=True)
    )
    assert logged == {row["person"].pk for row in first.context["rows"]}
