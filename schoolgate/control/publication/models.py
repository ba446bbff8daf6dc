# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""The change counter that triggers publication, and the log of published snapshots."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class PublishState(models.Model):
    """One row. `changes` moves in the same transaction as any change a snapshot carries;
    `published` is the value of `changes` that the last published snapshot includes."""

    changes = models.PositiveBigIntegerField(default=0)
    published = models.PositiveBigIntegerField(default=0)
    last_reason = models.CharField(max_length=80, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)


class PublishedSnapshot(models.Model):
    revision = models.CharField(max_length=64, db_index=True)
    published_at = models.DateTimeField()
    pack_id = models.CharField(max_length=80)
    pack_version = models.CharField(max_length=80)
    policy_hash = models.CharField(max_length=64)
    users = models.PositiveIntegerField()
    addresses = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=500)
    changes = models.PositiveBigIntegerField(help_text="PublishState.changes it includes")
    seconds = models.FloatField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-published_at"]
