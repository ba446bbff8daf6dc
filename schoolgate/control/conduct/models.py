# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""Incidents and sanctions, and an append-only history of what happened to each."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from schoolgate.engine.vocabulary import SANCTION_SCOPES, SEVERITIES

STATUSES = [("open", "open"), ("assigned", "assigned"), ("resolved", "resolved")]
INCIDENT_SOURCES = [
    ("decision", "a policy decision"),
    ("manual", "opened by hand"),
    ("filter", "bypass attempts the filter logged"),
]
SCOPES = [(s, s) for s in SANCTION_SCOPES]
KINDS = [("suspend", "suspension"), ("revoke", "revocation")]


class Incident(models.Model):
    subject = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    summary = models.CharField(max_length=500)
    severity = models.CharField(max_length=16, choices=[(s, s) for s in SEVERITIES], default="info")
    source = models.CharField(max_length=16, choices=INCIDENT_SOURCES, default="manual")
    decision = models.JSONField(
        null=True, blank=True, help_text="Decision.to_dict() that opened it"
    )
    event_id = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=STATUSES, default="open", db_index=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at"]

    def __str__(self) -> str:
        return f"incident {self.pk}: {self.summary[:40]}"


class IncidentEvent(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "pk"]


class Sanction(models.Model):
    """A suspension (with an end) or revocation (without one) of access in one scope."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=8, choices=KINDS, default="suspend")
    scope = models.CharField(max_length=16, choices=SCOPES)
    reason = models.TextField(help_text="Shown to the person on the block page.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField()
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by_name = models.CharField(max_length=200, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-decided_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="sanction_ends_after_start",
            )
        ]

    @property
    def effective_end(self):  # type: ignore[no-untyped-def]
        ends = [t for t in (self.ends_at, self.lifted_at) if t is not None]
        return min(ends) if ends else None


class SanctionEvent(models.Model):
    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "pk"]
