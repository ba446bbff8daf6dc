# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Opening, assigning and resolving incidents; suspending, revoking and lifting access.

Each change appends a history event in the same transaction and, for sanctions, marks the
records changed so a new snapshot follows within seconds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from schoolgate.control.conduct.models import (
    Incident,
    IncidentEvent,
    Sanction,
    SanctionEvent,
)
from schoolgate.control.people.models import Person
from schoolgate.control.publication.services import mark_changed
from schoolgate.engine.decide import Decision
from schoolgate.engine.vocabulary import SANCTION_SCOPES


class ConductError(ValueError):
    """A sanction or incident change that cannot be made; the message says why."""


# ------------------------------------------------------------------ incidents


def open_incident(
    summary: str,
    *,
    subject: Person | None = None,
    opened_by: Person | None = None,
    severity: str = "medium",
    decision: Decision | None = None,
    source: str | None = None,
    decided: dict[str, object] | None = None,
    event_id: str = "",
    now: dt.datetime | None = None,
) -> Incident:
    """Open an incident by hand or, with `decision`, from a decision whose rule asked for one.

    `source` names another opener (`"filter"`: the activity ingester, from logged bypass
    attempts); such an opener has no `Decision` object, only what the log recorded of it, so
    it passes that as `decided` (the same keys as `Decision.to_dict()`, the ones it knows) and
    the incident page shows the rule as it does for a decision."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            subject=subject,
            summary=summary[:500],
            severity=severity,
            source=source or ("decision" if decision else "manual"),
            decision=decision.to_dict() if decision else decided,
            event_id=((decision.event_id or "") if decision else event_id)[:100],
            opened_at=now,
            opened_by=opened_by,
        )
        IncidentEvent.objects.create(
            incident=incident, at=now, actor=opened_by, action="opened", note=incident.source
        )
    return incident


def open_from_decision(
    decision: Decision, subject: Person | None, now: dt.datetime | None = None
) -> Incident | None:
    """An incident for a decision that asks for one; None if it does not, or if one is already
    open for the same event (enforcement points may report an event more than once)."""
    if not decision.incident:
        return None
    if decision.event_id and Incident.objects.filter(event_id=decision.event_id).exists():
        return None
    summary = f"{', '.join(decision.rules)}: {decision.action}"
    return open_incident(
        summary, subject=subject, severity=decision.severity, decision=decision, now=now
    )


def assign_incident(
    incident: Incident, to: Person, *, by: Person | None = None, now: dt.datetime | None = None
) -> Incident:
    if incident.status == "resolved":
        raise ConductError(f"incident {incident.pk} is resolved")
    now = now or timezone.now()
    with transaction.atomic():
        incident.assigned_to, incident.status = to, "assigned"
        incident.save(update_fields=["assigned_to", "status"])
        IncidentEvent.objects.create(
            incident=incident, at=now, actor=by, action="assigned", note=to.sourced_id
        )
    return incident


def resolve_incident(
    incident: Incident,
    resolution: str,
    *,
    by: Person | None = None,
    now: dt.datetime | None = None,
) -> Incident:
    if incident.status == "resolved":
        raise ConductError(f"incident {incident.pk} is already resolved")
    if not resolution.strip():
        raise ConductError("say how the incident was resolved")
    now = now or timezone.now()
    with transaction.atomic():
        incident.status, incident.resolution, incident.resolved_at = "resolved", resolution, now
        incident.save(update_fields=["status", "resolution", "resolved_at"])
        IncidentEvent.objects.create(
            incident=incident, at=now, actor=by, action="resolved", note=resolution
        )
    return incident


# ------------------------------------------------------------------ sanctions


def suspend(
    person: Person,
    *,
    scope: str,
    reason: str,
    decided_by: Person | None = None,
    decided_by_name: str = "",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    kind: str = "suspend",
    incident: Incident | None = None,
    now: dt.datetime | None = None,
) -> Sanction:
    """Suspend (until `ends_at`) or revoke (`kind="revoke"`, no end) `person`'s access."""
    if scope not in SANCTION_SCOPES:
        raise ConductError(f"scope {scope!r} is not one of {', '.join(SANCTION_SCOPES)}")
    if not reason.strip():
        raise ConductError("a sanction needs a reason (it is shown to the person)")
    if decided_by is None and not decided_by_name.strip():
        raise ConductError("say who decided the sanction")
    now = now or timezone.now()
    starts_at = starts_at or now
    if kind == "suspend" and ends_at is None:
        raise ConductError("a suspension needs an end; use a revocation for no end")
    if kind == "revoke" and ends_at is not None:
        raise ConductError("a revocation has no end; use a suspension")
    if ends_at is not None and ends_at <= starts_at:
        raise ConductError("the sanction must end after it starts")
    with transaction.atomic():
        sanction = Sanction.objects.create(
            person=person,
            kind=kind,
            scope=scope,
            reason=reason.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            decided_by=decided_by,
            decided_by_name=decided_by_name or (decided_by.display_name if decided_by else ""),
            decided_at=now,
            incident=incident,
        )
        SanctionEvent.objects.create(
            sanction=sanction,
            at=now,
            actor=sanction.decided_by_name,
            action=kind,
            note=reason.strip(),
        )
        mark_changed("sanction")
    return sanction


def lift(sanction: Sanction, *, by: str, reason: str, now: dt.datetime | None = None) -> Sanction:
    """End a sanction early; it stays in the history with who lifted it and why."""
    now = now or timezone.now()
    if sanction.lifted_at is not None:
        raise ConductError(f"sanction {sanction.pk} was already lifted")
    if sanction.ends_at is not None and sanction.ends_at <= now:
        raise ConductError(f"sanction {sanction.pk} has already ended")
    if not by.strip() or not reason.strip():
        raise ConductError("say who lifts the sanction and why")
    with transaction.atomic():
        sanction.lifted_at, sanction.lifted_by_name, sanction.lift_reason = now, by, reason
        sanction.save(update_fields=["lifted_at", "lifted_by_name", "lift_reason"])
        SanctionEvent.objects.create(
            sanction=sanction, at=now, actor=by, action="lifted", note=reason
        )
        mark_changed("sanction lifted")
    return sanction


def in_force_or_coming(now: dt.datetime) -> QuerySet[Sanction]:
    """Sanctions not yet over: in force now, or starting later."""
    return Sanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        Q(lifted_at__isnull=True) | Q(lifted_at__gt=now),
    )


def active(now: dt.datetime | None = None) -> QuerySet[Sanction]:
    now = now or timezone.now()
    return in_force_or_coming(now).filter(starts_at__lte=now)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def sanctions_for_snapshot(now: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    """person pk → the snapshot's sanctions; the engine checks start and until itself."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = in_force_or_coming(now).filter(person__active=True).select_related("decided_by")
    for s in rows.order_by("starts_at", "pk"):
        out[s.person_id].append(
            {
                "id": f"sanction-{s.pk}",
                "scope": s.scope,
                "reason": s.reason,
                "start": _iso(s.starts_at),
                "until": _iso(s.effective_end),
                "decided_by": s.decided_by.sourced_id if s.decided_by else s.decided_by_name,
            }
        )
    return out
