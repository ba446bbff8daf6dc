"""Incidents and sanctions: lifecycle, validation, history, and what snapshots carry."""

from __future__ import annotations

import datetime as dt

import pytest

from schoolgate.control.conduct.models import IncidentEvent, Sanction, SanctionEvent
from schoolgate.control.conduct.services import (
    ConductError,
    active,
    assign_incident,
    lift,
    open_from_decision,
    open_incident,
    resolve_incident,
    sanctions_for_snapshot,
    suspend,
)
from schoolgate.engine import decide, event_from_dict
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack

from .conftest import person

pytestmark = pytest.mark.usefixtures("district")
NOW = dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)


def test_incident_lifecycle_keeps_history() -> None:
    student, principal, assistant = person("student"), person("principal"), person("teacher")
    incident = open_incident(
        "Third bypass attempt this week", subject=student, opened_by=principal, now=NOW
    )
    assign_incident(incident, assistant, by=principal, now=NOW + dt.timedelta(minutes=5))
    resolve_incident(
        incident,
        "Talked with the student and guardian",
        by=assistant,
        now=NOW + dt.timedelta(days=1),
    )
    assert incident.status == "resolved"
    assert [e.action for e in IncidentEvent.objects.filter(incident=incident)] == [
        "opened",
        "assigned",
        "resolved",
    ]
    with pytest.raises(ConductError, match="already resolved"):
        resolve_incident(incident, "again")


def test_incident_from_a_decision_once_per_event() -> None:
    snapshot = compile_pack(load_pack("ces").pack)
    event = event_from_dict(
        {
            "id": "evt-1",
            "channel": "email",
            "time": "2026-11-02T10:00:00-05:00",
            "subject": {"user": "x", "roles": ["student"], "grade": "10"},
            "email": {"recipients": 1, "labels": {"threat": 0.93}, "findings": []},
        }
    )
    decision = decide(snapshot, event)
    student = person("student")
    assert decision.incident and "email-threat" in decision.rules
    first = open_from_decision(decision, student)
    assert first is not None and first.source == "decision"
    assert first.decision["rules"] == list(decision.rules)
    assert open_from_decision(decision, student) is None


def test_suspension_lift_and_history() -> None:
    student, principal = person("student"), person("principal")
    sanction = suspend(
        student,
        scope="network",
        reason="Used a proxy to get around the filter",
        decided_by=principal,
        ends_at=NOW + dt.timedelta(days=3),
        now=NOW,
    )
    assert list(active(NOW + dt.timedelta(hours=1))) == [sanction]
    lift(sanction, by="Principal", reason="Served early", now=NOW + dt.timedelta(days=1))
    assert not active(NOW + dt.timedelta(days=2)).exists()
    assert [e.action for e in SanctionEvent.objects.filter(sanction=sanction)] == [
        "suspend",
        "lifted",
    ]
    assert Sanction.objects.filter(pk=sanction.pk).exists()  # never deleted


def test_snapshot_carries_sanctions_with_their_effective_end() -> None:
    student, principal = person("student"), person("principal")
    later = NOW + dt.timedelta(days=7)
    s1 = suspend(
        student,
        scope="email",
        reason="Mass mail",
        decided_by=principal,
        ends_at=NOW + dt.timedelta(days=3),
        now=NOW,
    )
    suspend(
        student,
        scope="all",
        reason="Revoked",
        kind="revoke",
        decided_by=principal,
        starts_at=later,
        now=NOW,
    )
    lift(s1, by="HR", reason="Appeal granted", now=NOW + dt.timedelta(days=1))
    carried = sanctions_for_snapshot(NOW + dt.timedelta(hours=1))[student.pk]
    assert [(s["scope"], s["until"]) for s in carried] == [
        ("email", (NOW + dt.timedelta(days=1)).isoformat()),
        ("all", None),
    ]
    assert carried[1]["start"] == later.isoformat()
    assert carried[0]["decided_by"] == principal.sourced_id
    assert student.pk not in sanctions_for_snapshot(NOW + dt.timedelta(days=2)) or all(
        s["scope"] == "all" for s in sanctions_for_snapshot(NOW + dt.timedelta(days=2))[student.pk]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "wifi"}, "scope 'wifi' is not one of"),
        ({"reason": " "}, "needs a reason"),
        ({"ends_at": None}, "needs an end"),
        ({"kind": "revoke"}, "has no end"),
        ({"ends_at": NOW - dt.timedelta(days=1)}, "must end after it starts"),
        ({"decided_by": None}, "say who decided"),
    ],
)
def test_sanction_refused(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "scope": "network",
        "reason": "Proxy",
        "decided_by": person("principal"),
        "ends_at": NOW + dt.timedelta(days=1),
        "now": NOW,
    }
    args.update(kwargs)
    with pytest.raises(ConductError, match=message):
        suspend(person("student"), **args)  # type: ignore[arg-type]
    assert not Sanction.objects.exists()
