"""Records → the plain dicts the serializers render; no queries for people of their own (the
views pass in people they got from `access.scope`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.conduct.models import Incident, Sanction
from schoolgate.control.consents.services import current
from schoolgate.control.consents.services import state as consent_state
from schoolgate.control.people.models import Person
from schoolgate.policy.model import Pack


def acknowledgment(status: dict[int, bool], pk: int) -> str:
    if pk not in status:
        return "not-required"
    return "signed" if status[pk] else "outstanding"


def org(person: Person) -> dict[str, str] | None:
    school = person.primary_org
    return {"id": school.sourced_id, "name": school.name} if school else None


def person_ref(person: Person) -> dict[str, str]:
    return {"id": person.sourced_id, "display_name": person.display_name}


def summary(
    person: Person, status: dict[int, bool], granted: dict[int, set[str]]
) -> dict[str, Any]:
    return {
        "id": person.sourced_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "preferred_given_name": person.preferred_given_name,
        "display_name": person.display_name,
        "role": person.role,
        "grade": person.grade,
        "school": org(person),
        "acknowledgment": acknowledgment(status, person.pk),
        "consents": sorted(granted.get(person.pk, ())) if person.role == "student" else None,
    }


def consent_states(pack: Pack, student: Person, now: dt.datetime) -> list[dict[str, Any]]:
    """Per consent of the pack: given, not given, withdrawn or expired (as the console shows)."""
    latest = current(student, now)
    out = []
    for consent in pack.consents:
        row = latest.get(consent.id)
        state = consent_state(row, now)
        out.append(
            {
                "consent": consent.id,
                "description": consent.description,
                "state": state,
                "expires_at": row.expires_at if row is not None and state == "given" else None,
                "recorded_at": row.signed_at if row is not None else None,
            }
        )
    return out


def sanction(s: Sanction) -> dict[str, Any]:
    return {
        "id": s.pk,
        "person": s.person.sourced_id,
        "kind": s.kind,
        "scope": s.scope,
        "reason": s.reason,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "decided_by": s.decided_by_name,
        "lifted_at": s.lifted_at,
        "lifted_by": s.lifted_by_name,
        "lift_reason": s.lift_reason,
    }


def _id(person: Person | None) -> str | None:
    return person.sourced_id if person is not None else None


def incident(i: Incident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "subject": _id(i.subject),
        "summary": i.summary,
        "severity": i.severity,
        "source": i.source,
        "status": i.status,
        "opened_at": i.opened_at,
        "opened_by": _id(i.opened_by),
        "assigned_to": _id(i.assigned_to),
        "resolved_at": i.resolved_at,
        "resolution": i.resolution,
    }


def incident_record(i: Incident) -> dict[str, Any]:
    return {
        **incident(i),
        "event_id": i.event_id,
        "decision": i.decision,
        "history": [
            {"at": e.at, "action": e.action, "actor": _id(e.actor), "note": e.note}
            for e in i.history.select_related("actor")
        ],
        "sanctions": sorted(i.sanctions.values_list("pk", flat=True)),
    }


def access_entry(e: AccessLogEntry) -> dict[str, Any]:
    return {
        "at": e.at,
        "viewer": e.viewer.get_username(),
        "viewer_person": _id(e.viewer_person),
        "subject": e.subject.sourced_id,
        "what": e.what,
        "purpose": e.purpose,
        "path": e.path,
    }
