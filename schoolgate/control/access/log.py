# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Write and read the record of access. Views call `record_views` for every person whose record
they show, before they render it; the log itself is readable only by administrators."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.access.scope import PURPOSES, viewer
from schoolgate.control.people.models import Person


def record_views(
    user: AbstractBaseUser, subjects: Iterable[Person], *, what: str, purpose: str, path: str = ""
) -> int:
    """One entry per person viewed; returns how many were written."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    now = timezone.now()
    me = viewer(user).person
    rows = [
        AccessLogEntry(
            at=now,
            viewer=user,
            viewer_person=me,
            subject=subject,
            what=what,
            purpose=purpose,
            path=path[:300],
        )
        for subject in subjects
    ]
    AccessLogEntry.objects.bulk_create(rows)
    return len(rows)


def entries(subject: Person | None = None) -> QuerySet[AccessLogEntry]:
    rows = AccessLogEntry.objects.select_related("viewer", "viewer_person", "subject")
    return rows.filter(subject=subject) if subject is not None else rows
