# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""One roster upload and what became of it.

The row is written before and after the import's own transaction, never inside it: the import
is all or nothing, so anything written inside would be invisible until the commit and lost with
a rollback. Live row counts while writing are kept in memory (`imports.services`)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

STATUSES = [
    ("queued", "waiting to start"),
    ("running", "running"),
    ("done", "imported"),
    ("failed", "not imported"),
]


class ImportJob(models.Model):
    created_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_name = models.CharField(max_length=255, help_text="the uploaded file's name")
    size = models.PositiveBigIntegerField(help_text="bytes uploaded")
    status = models.CharField(max_length=16, choices=STATUSES, default="queued", db_index=True)
    stage = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=8, blank=True)
    files = models.PositiveIntegerField(default=0, help_text="CSV files read")
    rows = models.PositiveIntegerField(default=0, help_text="rows read and checked")
    counts = models.JSONField(default=dict, help_text="per file: created, updated, …")
    problems = models.JSONField(default=list, help_text="file:line: problem, as the CLI prints")
    problem_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"roster import {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
