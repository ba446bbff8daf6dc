# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""One row per filter decision read from the spool.

The spool delivers at least once, so `(spool, seq)` is unique and a re-read after a crash
inserts nothing twice. The person is resolved at ingest time from the logged user id (the
OneRoster sourced_id the snapshot carries); the raw id is kept as well, because a decision may
name someone the records no longer (or do not yet) hold. Indexes follow the console's searches:
newest first overall, and newest first for a person, a domain, an action; bypass attempts have
a partial index of their own because they are few and the dashboard asks for the latest.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q


class FilterEvent(models.Model):
    time = models.DateTimeField()
    kind = models.CharField(max_length=16, help_text="the record kind: dns")
    client = models.CharField(max_length=45, blank=True, help_text="the client's address")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_id = models.CharField(max_length=255, blank=True, help_text="the id the log named")
    domain = models.CharField(max_length=255)
    categories = models.CharField(
        max_length=500,
        blank=True,
        help_text="',a,b,': a category is a substring match",
    )
    categories_known = models.BooleanField(default=True)
    action = models.CharField(max_length=32)
    blocked = models.BooleanField(default=False)
    rule = models.CharField(max_length=120, blank=True)
    clause = models.CharField(max_length=200, blank=True)
    revision = models.CharField(max_length=64, blank=True, help_text="the snapshot revision")
    network = models.CharField(max_length=80, blank=True)
    answer = models.CharField(max_length=16, blank=True)
    record_type = models.CharField(max_length=10, blank=True)
    bypass = models.BooleanField(default=False)
    bypass_kind = models.CharField(max_length=32, blank=True)
    spool = models.CharField(max_length=32, help_text="the spool's identity")
    seq = models.BigIntegerField(help_text="the record's sequence number in that spool")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["spool", "seq"], name="activity_unique_spool_seq")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["time", "id"], name="activity_time"),
            models.Index(fields=["person", "time", "id"], name="activity_person_time"),
            models.Index(fields=["domain", "time"], name="activity_domain_time"),
            models.Index(fields=["person", "domain", "time"], name="activity_person_domain"),
            models.Index(fields=["action", "time"], name="activity_action_time"),
            models.Index(fields=["blocked", "time"], name="activity_blocked_time"),
            models.Index(
                fields=["time", "id"], condition=Q(bypass=True), name="activity_bypass_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.action} {self.domain}"

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class FilterEventCategory(models.Model):
    """One row per (event, category): the category search walks (category, time) newest first
    instead of testing every event's category list — the difference between 5 ms and seconds
    for a rare category on a million events."""

    event = models.ForeignKey(FilterEvent, on_delete=models.CASCADE, related_name="tags")
    category = models.CharField(max_length=80)
    time = models.DateTimeField(help_text="the event's time, so the index orders by it")
    person_id = models.BigIntegerField(default=0, help_text="the event's person; 0: none known")

    class Meta:
        # covering: a scoped search tests the person in the index, not in each event it names
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["category", "time", "person_id", "event"], name="activity_category_time"
            )
        ]


class DailyBlocks(models.Model):
    """Blocked events per day, person and category, kept by the ingester in the transaction
    that stores the events, so the dashboard's chart sums a few thousand rows instead of
    grouping a fortnight of events. `person_id` 0 is "no known person" (a plain integer, so
    the unique key also holds for it) and -1 "everyone", the sum the roles that see every
    event read; category "" counts each blocked event once (the day's total, whatever its
    categories)."""

    TOTAL: ClassVar[str] = ""
    NOBODY: ClassVar[int] = 0
    EVERYONE: ClassVar[int] = -1

    day = models.DateField()
    person_id = models.BigIntegerField(default=0)
    category = models.CharField(max_length=80, blank=True)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["day", "person_id", "category"], name="activity_daily_blocks_key"
            )
        ]
