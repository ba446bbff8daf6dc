"""`schoolgate console --setup-only`: the demo district, a sign-in per role, passwords that work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from schoolgate.control.cli.console import console
from schoolgate.control.console.demo import DEMO_ROLES
from schoolgate.control.people.models import Person

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^  (\S+)\s+(\S+)\s+(\S+)\s+\((.+)\)$", re.MULTILINE)


def run(*args: str) -> str:
    result = CliRunner().invoke(console, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_setup_only_prints_a_working_sign_in_per_role(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SCHOOLGATE_SECURE_COOKIES", "false")  # what the command sets; undone after
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    out = run("--setup-only", "--students", "30", "--port", "8123")
    assert "demo district imported" in out and "http://127.0.0.1:8123/" in out
    sign_ins = {m[0]: (m[1], m[2]) for m in LINE.findall(out)}
    assert tuple(sign_ins) == DEMO_ROLES
    for role, (username, password) in sign_ins.items():
        client = Client()
        response = client.post("/login/", {"username": username, "password": password})
        assert response.status_code == 302, role
        assert client.get("/").status_code == 200
    # A second run keeps the district, and only the new passwords work.
    count = Person.objects.count()
    again = run("--setup-only")
    assert "demo district imported" not in again and Person.objects.count() == count
    username, old = sign_ins["teacher"]
    assert Client().post("/login/", {"username": username, "password": old}).status_code == 401


ACTIVITY = re.compile(
    r"demo activity: (\d+) people's agreements signed for them, ([\d,]+) invented queries .*"
    r"\(([\d,]+) blocked\), and (\d+) review requests"
)


def test_first_run_invents_activity_through_the_real_path(settings: Any, monkeypatch: Any) -> None:
    """The demo's two weeks are decided by the published pack and stored by the ingesters: the
    chart has blocks, the teacher has review requests from their students, and the people the
    demo signs in as still have their own signing to do."""
    from schoolgate.control.activity.models import DailyBlocks, FilterEvent
    from schoolgate.control.agreements.models import Acknowledgment
    from schoolgate.control.console.demo import demo_people
    from schoolgate.control.people.services import students_of
    from schoolgate.control.reviews.models import ReviewRequest
    from schoolgate.engine import Snapshot

    monkeypatch.setenv("SCHOOLGATE_SECURE_COOKIES", "false")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    found = ACTIVITY.search(run("--setup-only", "--students", "30"))
    assert found, "the first run says what it invented"
    signed, queries, blocked, reviews = (int(g.replace(",", "")) for g in found.groups())
    assert FilterEvent.objects.count() == queries > 0
    assert FilterEvent.objects.filter(blocked=True).count() == blocked
    assert 0 < blocked < queries  # signed people are decided by category, not all held
    assert DailyBlocks.objects.exists()
    snapshot = Snapshot.from_bytes(Path(settings.SCHOOLGATE_SNAPSHOT).read_bytes())
    rules = {rule.id for by_channel in snapshot.rules.values() for rule in by_channel}
    stored = set(FilterEvent.objects.exclude(rule="").values_list("rule", flat=True))
    assert stored and stored <= rules | {"default:web"}
    people = demo_people()
    taught = set(students_of(people["teacher"]).values_list("sourced_id", flat=True))
    requesters = set(ReviewRequest.objects.values_list("user", flat=True))
    assert reviews == len(requesters) > 0 and requesters <= taught
    assert Acknowledgment.objects.count() == signed
    assert not Acknowledgment.objects.filter(on_behalf_of__in=people.values()).exists()
    # A second run invents nothing more.
    run("--setup-only")
    assert FilterEvent.objects.count() == queries


def test_first_run_builds_networks_the_resolver_reads(
    settings: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    """Subnets per school, a lease file through the real importer, the demo sign-ins on this
    computer's loopback addresses — and a networks file the resolver's own parser accepts."""
    from schoolgate.control.activity.models import FilterEvent
    from schoolgate.control.console.demo import demo_people
    from schoolgate.control.console.demo_networks import loopback_addresses, write_networks_file
    from schoolgate.control.networks.models import AddressAssignment, Subnet
    from schoolgate.control.networks.services import address_map
    from schoolgate.control.people.models import Org
    from schoolgate.enforce.dns.networks import load_networks

    monkeypatch.setenv("SCHOOLGATE_SECURE_COOKIES", "false")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    out = run("--setup-only", "--students", "30")
    assert re.search(r"demo networks: \d+ subnets, \d+ DHCP leases imported", out)
    schools = Org.objects.filter(type="school").count()
    assert Subnet.objects.count() == 2 * schools + 1
    leased = AddressAssignment.objects.filter(source="isc", person__isnull=False)
    assert leased.exists() and AddressAssignment.objects.filter(person__isnull=True).count() == 1
    people = demo_people()
    given = loopback_addresses()
    assert given["student"] == "127.0.0.1" and set(given) == set(people)
    mapped = address_map()
    assert mapped["127.0.0.1"] == people["student"].sourced_id
    assert all(mapped[a.address] == a.person.sourced_id for a in leased)
    networks = load_networks(write_networks_file(tmp_path / "networks.yaml"))
    student_lease = leased.filter(person__role="student").first()
    assert student_lease is not None
    assert networks.match(student_lease.address).roles == {"student"}
    assert networks.match("127.0.0.1").roles == frozenset()  # the records decide there
    assert networks.match("192.0.2.1").roles == {"student"}  # unlisted: the strict side
    # The invented activity came from the addresses the records give its people.
    user = student_lease.person.sourced_id
    theirs = {address for address, whose in mapped.items() if whose == user}
    clients = set(FilterEvent.objects.filter(user_id=user).values_list("client", flat=True))
    assert clients <= theirs
    assert FilterEvent.objects.filter(client__startswith="10.").exists()
