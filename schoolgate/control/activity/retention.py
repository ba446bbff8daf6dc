# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""How long filter events are kept: `SCHOOLGATE_EVENT_RETENTION_DAYS` (default 365) days.

The setting is the district's retention period for the filter log (set it from the records
schedule the board's retention clause points to). `purge` deletes what is older (events, their
category rows and the dashboard's daily counts), in chunks so a
large purge never holds a long write lock on SQLite, and refuses to delete events younger than
the setting: the period is both "delete after" and "keep until".
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from django.conf import settings
from django.utils import timezone

from schoolgate.control.activity.models import DailyBlocks, FilterEvent

DEFAULT_DAYS: Final = 365
CHUNK: Final = 10_000


class RetentionError(ValueError):
    pass


def retention_days() -> int:
    value = getattr(settings, "SCHOOLGATE_EVENT_RETENTION_DAYS", DEFAULT_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise RetentionError(
            f"SCHOOLGATE_EVENT_RETENTION_DAYS: {value!r} is not a number"
        ) from None
    if days < 1:
        raise RetentionError("SCHOOLGATE_EVENT_RETENTION_DAYS must be at least 1")
    return days


def purge(older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete events older than `older_than_days` (default: the setting); returns how many."""
    keep = retention_days()
    days = keep if older_than_days is None else older_than_days
    if days < keep:
        raise RetentionError(
            f"--older-than {days} would delete events inside the {keep}-day retention period "
            "(SCHOOLGATE_EVENT_RETENTION_DAYS)"
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    DailyBlocks.objects.filter(day__lt=cutoff.date()).delete()
    deleted = 0
    while True:
        ids = list(FilterEvent.objects.filter(time__lt=cutoff).values_list("id", flat=True)[:CHUNK])
        if not ids:
            return deleted
        deleted += FilterEvent.objects.filter(id__in=ids).delete()[0]


__all__ = ["DEFAULT_DAYS", "RetentionError", "purge", "retention_days"]
