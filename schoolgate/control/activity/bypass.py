# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Incidents from bypass attempts: after the Nth attempt in 24 hours to get around the filter
(a proxy, a VPN, an encrypted-DNS resolver the resolver blocked and flagged), the assistant
principal gets an incident about the student instead of having to find the pattern in the log.

The ingester calls `open_bypass_incidents` inside the transaction that stores the batch, so a
rollback takes the incident with the events, and the re-read opens it again. The window is
counted from the event store, not the batch, so attempts spread over many batches (or ingest
runs) add up. One incident covers a window: while an incident the filter opened in the last 24
hours is still open or assigned, more attempts (or the same records read again, since the spool
delivers at least once) open nothing new; they are in the log the incident points to. Once it is
resolved, only attempts stored after the ones it covered count towards the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Final

from django.db.models import Count
from django.utils import timezone

from schoolgate.control.activity.models import FilterEvent
from schoolgate.control.conduct.models import Incident
from schoolgate.control.conduct.services import open_incident
from schoolgate.control.people.models import Person

WINDOW: Final = dt.timedelta(hours=24)
SOURCE: Final = "filter"  # conduct.models.INCIDENT_SOURCES
SEVERITY: Final = "medium"
UNRESOLVED: Final = ("open", "assigned")
DOMAINS_SHOWN: Final = 3
ATTEMPTS_READ: Final = 100  # of one person's window, newest first: enough to name the rules


def due(counts: Mapping[int, int], already_open: Collection[int], threshold: int) -> list[int]:
    """The persons (pks, sorted) to open an incident about: their attempts in the window reached
    `threshold` and none of the filter's incidents about them in the window is still open.
    `threshold` 0 (or less) opens none: the setting's "never"."""
    if threshold <= 0:
        return []
    return sorted(p for p, n in counts.items() if n >= threshold and p not in already_open)


def summary(count: int, domains: Sequence[str]) -> str:
    """What happened, as the incident list shows it: the count and the first few domains."""
    named = ", ".join(domains[:DOMAINS_SHOWN]) + (", …" if len(domains) > DOMAINS_SHOWN else "")
    what = f"{count} attempt{'s' if count != 1 else ''} to get around the filter in 24 hours"
    return f"{what} ({named})" if named else what


def _event_pk(event_id: str) -> int:
    """The event store id an incident of ours names (`filter-event-<id>`; 0 when it names none,
    so every attempt in the window counts)."""
    prefix = "filter-event-"
    tail = event_id[len(prefix) :] if event_id.startswith(prefix) else ""
    return int(tail) if tail.isdigit() else 0


def _distinct(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def open_bypass_incidents(
    person_ids: Collection[int], threshold: int, now: dt.datetime | None = None
) -> list[Incident]:
    """Open the incidents `due` for `person_ids` (the known persons with bypass attempts in the
    batch just stored); the caller holds the transaction."""
    if threshold <= 0 or not person_ids:
        return []
    now = now or timezone.now()
    since = now - WINDOW
    # (person, time, id) index: the batch's persons, the window; bypass is tested on few rows
    window = FilterEvent.objects.filter(person_id__in=set(person_ids), bypass=True, time__gte=since)
    counts = dict(
        window.order_by().values("person_id").annotate(n=Count("id")).values_list("person_id", "n")
    )
    recent = Incident.objects.filter(source=SOURCE, subject_id__in=counts, opened_at__gte=since)
    already_open = set(recent.filter(status__in=UNRESOLVED).values_list("subject_id", flat=True))
    # After an incident was dealt with, only the attempts stored since it count towards the next:
    # resolving one must not open another at the student's very next try. "Since" is by event
    # id (the order of ingest), not time, so attempts that reach the store late still count.
    covered: dict[int, int] = {}
    for subject_id, event_id in recent.order_by("opened_at", "pk").values_list(
        "subject_id", "event_id"
    ):
        covered[subject_id] = _event_pk(event_id)
    for pk, last_pk in covered.items():
        counts[pk] = window.filter(person_id=pk, id__gt=last_pk).count()
    persons = Person.objects.in_bulk(due(counts, already_open, threshold))
    opened = []
    for pk, subject in sorted(persons.items()):
        attempts = list(
            window.filter(person_id=pk)
            .order_by("-time", "-id")
            .values("id", "domain", "action", "rule", "clause")[:ATTEMPTS_READ]
        )
        latest = attempts[0]
        decided: dict[str, object] = {
            "action": latest["action"],
            "rules": _distinct([a["rule"] for a in attempts]),
            "clauses": [{"id": c} for c in _distinct([a["clause"] for a in attempts])],
            "severity": SEVERITY,
            "incident": True,
            "event_id": f"filter-event-{latest['id']}",
        }
        opened.append(
            open_incident(
                summary(counts[pk], _distinct([a["domain"] for a in attempts])),
                subject=subject,
                severity=SEVERITY,
                source=SOURCE,
                decided=decided,
                event_id=str(decided["event_id"]),
                now=now,
            )
        )
    return opened


__all__ = ["WINDOW", "due", "open_bypass_incidents", "summary"]
