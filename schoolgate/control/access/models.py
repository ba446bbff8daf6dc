# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""The record of access: who looked at whose record, what they saw, when and why.

Append-only: nothing in schoolgate updates or deletes an entry, and the foreign keys protect
the rows they point at, so a person with a logged view cannot be deleted out from under it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class AccessLogEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewer_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="access_log"
    )
    what = models.CharField(max_length=32, help_text="the page or record part viewed")
    purpose = models.CharField(max_length=32, help_text="why: one of access.scope.PURPOSES")
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["subject", "at"])]
