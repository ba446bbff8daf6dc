"""End to end: the real resolver handler decides queries and writes its query log to a real
spool; the ingester stores them; the event log and the dashboard show them to the right people."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import dns.message
from django.test import Client

from schoolgate.classify.domains import CategoryIndex
from schoolgate.classify.domains.build import build_index
from schoolgate.control.activity.ingest import ingest
from schoolgate.control.activity.models import FilterEvent
from schoolgate.enforce.dns.builtin import load_builtins
from schoolgate.enforce.dns.handler import BlockAnswer, Handler
from schoolgate.enforce.dns.networks import load_networks
from schoolgate.enforce.dns.policy import Decider, PolicyState
from schoolgate.lists.model import Entry
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack
from schoolgate.spool import SpoolWriter

from .console_fixtures import Demo, demo

__all__ = ["demo"]

PACK = Path(__file__).parents[1] / "enforce" / "fixtures" / "dns-pack.yaml"
NETWORKS = """\
networks:
  - name: students
    cidr: 127.0.0.0/24
    school: ms1
    roles: [student]
    groups: [student-network]
"""
STUDENT_LAPTOP = "127.0.0.10"
GUEST = "127.0.0.20"
IN_SCHOOL = dt.datetime.now(dt.UTC).replace(hour=14, minute=0, second=0, microsecond=0)


def test_resolver_decisions_reach_the_event_log(demo: Demo, tmp_path: Path) -> None:
    student = demo.people["student"]
    lists = tmp_path / "lists.idx"
    build_index([Entry("games.test", "games"), Entry("proxy.test", "redirector")], lists)
    index = CategoryIndex.open(lists)
    (tmp_path / "networks.yaml").write_text(NETWORKS)
    records = {
        "users": {student.sourced_id: {"roles": ["student"], "sanctions": []}},
        "addresses": {STUDENT_LAPTOP: student.sourced_id},
    }
    state = PolicyState(
        snapshot=compile_pack(load_pack(PACK).pack, records),
        categories=lambda n: index.lookup_bytes(n.encode()).categories,
        networks=load_networks(tmp_path / "networks.yaml"),
        builtins=load_builtins(),
    )
    decider = Decider(state)
    spool = SpoolWriter(tmp_path / "spool")
    # a school day, whatever weekday the test runs on: Monday of this week
    monday = IN_SCHOOL - dt.timedelta(days=IN_SCHOOL.weekday())
    handler = Handler(
        lambda: decider,
        spool=spool,
        block=BlockAnswer(ipv4=ipaddress.IPv4Address("192.0.2.99")),
        clock=lambda: monday.timestamp(),
    )
    for name, client in [
        ("www.games.test", STUDENT_LAPTOP),
        ("www.proxy.test", STUDENT_LAPTOP),
        ("learn.test", STUDENT_LAPTOP),
        ("www.games.test", GUEST),
    ]:
        handler.handle(dns.message.make_query(name, "A").to_wire(), client)
    spool.close()

    result = ingest(tmp_path / "spool")
    assert (result.read, result.stored, result.malformed) == (4, 4, 0)
    games = FilterEvent.objects.get(domain="www.games.test", person=student)
    assert games.action == "block" and games.blocked and games.rule == "students-games"
    assert games.clause == "d/filter#2" and games.categories == ",games,"
    assert games.revision == decider.state.snapshot.revision  # type: ignore[union-attr]
    assert games.client == STUDENT_LAPTOP and games.kind == "dns"
    guest = FilterEvent.objects.get(domain="www.games.test", person=None)
    assert guest.client == GUEST and guest.user_id == ""

    guardian = Client()
    guardian.force_login(demo.users["guardian"])  # the demo student's guardian
    page = guardian.get(f"/events/?person={student.sourced_id}&since={monday:%Y-%m-%d}")
    html = page.content.decode()
    assert "www.games.test" in html and "students-games" in html and "d/filter#2" in html
    assert {e.person_id for e in page.context["rows"]} == {student.pk}
    assert len(page.context["rows"]) == 3

    hr = Client()
    hr.force_login(demo.users["hr"])  # HR sees staff, not students
    assert hr.get(f"/events/?person={student.sourced_id}").context["rows"] == []
