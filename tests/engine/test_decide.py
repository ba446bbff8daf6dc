"""decide(): precedence, conditions, failure modes and records, on the minimal pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schoolgate.engine import decide, event_from_dict
from schoolgate.engine.snapshot import Snapshot
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack

MINIMAL = Path(__file__).parents[1] / "policy" / "fixtures" / "good" / "minimal.yaml"

SCHOOL_DAY = "2026-10-05T10:00:00-04:00"  # a Monday
EVENING = "2026-10-05T19:00:00-04:00"
SATURDAY = "2026-10-10T10:00:00-04:00"
SUSPENDED = {
    "id": "s-1",
    "scope": "network",
    "reason": "proxy use",
    "until": "2026-10-08T00:00:00-04:00",
}


def web(roles: list[str], domain: str, categories: list[str] | None, time: str | None = SCHOOL_DAY,
        **subject: Any) -> dict[str, Any]:  # fmt: skip
    event: dict[str, Any] = {
        "channel": "web",
        "subject": {"roles": roles, **subject},
        "web": {"domain": domain, "categories": categories},
    }
    if time:
        event["time"] = time
    return event


CASES = [
    # (case, event, action, rules)
    ("student game in school", web(["student"], "g.example", ["games"]), "block", ["students-games"]),
    ("student game evening", web(["student"], "g.example", ["games"], EVENING), "allow", ["default:web"]),
    ("student game saturday", web(["student"], "g.example", ["games"], SATURDAY), "allow", ["default:web"]),
    ("teacher game in school", web(["teacher"], "g.example", ["games"]), "allow", ["default:web"]),
    ("adult for staff via alias", web(["teacher"], "x.example", ["porn"]), "block", ["adult"]),
    ("teacher shopping", web(["teacher"], "s.example", ["shopping"]), "allow", ["staff-shopping"]),
    ("student shopping warned", web(["student"], "s.example", ["shopping"]), "warn", ["students-shopping"]),
    ("student proxy", web(["student"], "p.example", ["redirector"]), "block", ["bypass"]),
    ("canary via builtin list", web(["student"], "use-application-dns.net", ["schoolgate-bypass"]), "block", ["bypass"]),
    ("adult and shopping: strictest first", web(["student"], "x.example", ["adult", "shopping"]), "block", ["adult", "students-shopping"]),
    ("suspended student", web(["student"], "news.example", [], sanctions=[SUSPENDED]), "block", ["suspended"]),
    ("suspended on learning site", web(["student"], "www.learn.example.org", [], sanctions=[SUSPENDED]), "allow", ["suspended-learning-sites"]),
    ("suspension over", web(["student"], "news.example", [], "2026-10-09T10:00:00-04:00", sanctions=[SUSPENDED]), "allow", ["default:web"]),
    ("suspension beats staff allow", web(["teacher"], "s.example", ["shopping"], sanctions=[SUSPENDED]), "block", ["suspended"]),
    ("unknown role gets default", web([], "g.example", ["games"]), "allow", ["default:web"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "event", "action", "rules"), CASES, ids=[c[0] for c in CASES])
def test_web_decisions(
    minimal: Snapshot, case: str, event: dict[str, Any], action: str, rules: list[str]
) -> None:
    decision = decide(minimal, event_from_dict(event))
    assert decision.action == action, decision.explanation
    assert list(decision.rules) == rules
    assert decision.clauses, "every decision cites a clause"
    assert decision.revision == minimal.revision


def test_failure_closed_for_students_open_for_staff(minimal: Snapshot) -> None:
    student = decide(minimal, event_from_dict(web(["student"], "x.example", None)))
    assert student.action == "block"
    assert any(e.unknown for e in student.evidence)
    assert "failing closed" in student.explanation
    staff = decide(minimal, event_from_dict(web(["teacher"], "x.example", None)))
    assert staff.action == "allow"


def test_unknown_time_fails_closed_for_students(minimal: Snapshot) -> None:
    decision = decide(minimal, event_from_dict(web(["student"], "g.example", ["games"], time=None)))
    assert decision.action == "block"


def test_decision_explains_with_clause_words(minimal: Snapshot) -> None:
    decision = decide(minimal, event_from_dict(web(["student"], "g.example", ["games"])))
    assert "g.example" not in decision.explanation  # shared among names; points show the name
    assert decision.explanation.startswith("Blocked: Games are not allowed during school hours")
    assert "No games or adult sites for students." in decision.explanation
    assert decision.evidence[0].kind == "category"
    assert decision.to_dict()["clauses"][0]["id"] == "t/filter#1"  # type: ignore[index]


def test_bypass_rule_opens_incident_and_notifies(minimal: Snapshot) -> None:
    decision = decide(minimal, event_from_dict(web(["student"], "p.example", ["vpn"])))
    assert decision.incident and decision.notify == ("principal",) and "bypass" in decision.tags


EMAIL_CASES = [
    ({"findings": ["password"]}, "hold", ["password-in-mail"]),
    ({"findings": None}, "allow", ["default:email"]),  # staff: fails open
    ({"recipients": 80}, "hold", ["mass-mail"]),
    ({"recipients": 10}, "allow", ["default:email"]),
]


@pytest.mark.parametrize(("payload", "action", "rules"), EMAIL_CASES)
def test_email_decisions(
    minimal: Snapshot, payload: dict[str, Any], action: str, rules: list[str]
) -> None:
    event = {"channel": "email", "subject": {"roles": ["teacher"], "grants": []}, "email": payload}
    decision = decide(minimal, event_from_dict(event))
    assert (decision.action, list(decision.rules)) == (action, rules)


def test_mass_mail_with_grant_passes(minimal: Snapshot) -> None:
    event = {"channel": "email", "subject": {"roles": ["principal"], "grants": ["mass-email"]},
             "email": {"recipients": 500}}  # fmt: skip
    assert decide(minimal, event_from_dict(event)).action == "allow"


@pytest.mark.parametrize(
    ("student", "action"),
    [
        ({"id": "s1", "pictured": True, "consents": ["publish-work", "publish-photo"]}, "allow"),
        ({"id": "s1", "pictured": True, "consents": ["publish-work"]}, "hold"),
        ({"id": "s1", "pictured": False, "consents": ["publish-work"]}, "allow"),
        ({"id": "s1", "consents": []}, "hold"),
        ({"id": "s1", "pictured": True}, "allow"),  # unknown consents, staff author: fails open
    ],
)
def test_publication_consents(minimal: Snapshot, student: dict[str, Any], action: str) -> None:
    event = {"channel": "publication", "subject": {"roles": ["teacher"]},
             "publication": {"students": [student]}}  # fmt: skip
    decision = decide(minimal, event_from_dict(event))
    assert decision.action == action, decision.explanation


def test_records_in_snapshot_supply_the_subject() -> None:
    pack = load_pack(MINIMAL).pack
    records = {
        "users": {"s1001": {"roles": ["student"], "grade": "7", "sanctions": [SUSPENDED]}},
        "addresses": {"10.20.0.17": "s1001"},
    }
    snapshot = compile_pack(pack, records)
    by_address = {"channel": "web", "time": SCHOOL_DAY, "subject": {"address": "10.20.0.17"},
                  "web": {"domain": "news.example"}}  # fmt: skip
    decision = decide(snapshot, event_from_dict(by_address))
    assert decision.action == "block" and decision.rules == ("suspended",)
    assert "proxy use" in decision.explanation
    elsewhere = {**by_address, "subject": {"address": "10.20.0.99"}}
    assert decide(snapshot, event_from_dict(elsewhere)).action == "allow"


def test_grade_groups_follow_the_grade(minimal: Snapshot) -> None:
    from schoolgate.engine.decide import facts_for

    facts = facts_for(minimal, event_from_dict(web(["student"], "x.example", [], grade=7)))
    assert "middle" in facts.groups


def test_fail_closed_blocks_but_accuses_no_one(minimal: Snapshot) -> None:
    decision = decide(minimal, event_from_dict(web(["student"], "x.example", None)))
    assert decision.action == "block"
    assert not decision.incident and not decision.notify and "bypass" not in decision.tags


def test_attribute_mismatch_outweighs_an_unknown_attribute() -> None:
    from schoolgate.engine.conditions import Attributes, Facts
    from schoolgate.engine.events import DeviceConnection, Event, Subject

    condition = Attributes({"device.personal": True, "device.antivirus_confirmed": False})

    def facts(device: DeviceConnection) -> Facts:
        event = Event(channel="device", subject=Subject(), payload=device)
        return Facts(event, frozenset(), frozenset(), None, None, None, ())

    assert condition.test(facts(DeviceConnection(personal=False))) is None
    unknown = condition.test(facts(DeviceConnection(personal=True)))
    assert unknown is not None and unknown.unknown
    met = condition.test(facts(DeviceConnection(personal=True, antivirus_confirmed=False)))
    assert met is not None and not met.unknown and "device.personal is true" in met.detail


def test_suspension_end_reads_as_a_local_time(minimal: Snapshot) -> None:
    """Students read this on the block page: minutes, in the event's zone, not an ISO stamp."""
    until_utc = {**SUSPENDED, "until": "2026-10-08T04:00:00+00:00"}
    decision = decide(
        minimal, event_from_dict(web(["student"], "n.example", [], sanctions=[until_utc]))
    )
    detail = decision.evidence[0].detail
    assert detail == "network access is suspended until 2026-10-08 00:00 UTC-04:00: proxy use"
