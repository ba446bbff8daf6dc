# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""A review request (a student asking, from the block page, for a site to be opened) and a site
exception (a staff member opening a site for a class, a student or a school until a date).

Requests arrive through the spool, at least once: `(source, seq)` is unique, so a record read
again after a crash is recognised and not stored twice. Exceptions are never deleted: a revoked
one keeps who revoked it and why, as sanctions keep who lifted them.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

STATUSES = [("open", "open"), ("approved", "approved"), ("declined", "declined")]
SCOPES = [("class", "a class"), ("person", "one person"), ("school", "a school")]


class SiteException(models.Model):
    domain = models.CharField(
        max_length=253, db_index=True, help_text="Registrable domain or exact host, lower case."
    )
    scope = models.CharField(max_length=8, choices=SCOPES)
    school_class = models.ForeignKey(
        "people.SchoolClass", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "people.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    reason = models.TextField()
    starts = models.DateField()
    until = models.DateField(help_text="The last day the site is open (inclusive).")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=200, blank=True)
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                name="site_exception_one_target",
                condition=(
                    models.Q(
                        scope="class",
                        school_class__isnull=False,
                        person__isnull=True,
                        school__isnull=True,
                    )
                    | models.Q(
                        scope="person",
                        person__isnull=False,
                        school_class__isnull=True,
                        school__isnull=True,
                    )
                    | models.Q(
                        scope="school",
                        school__isnull=False,
                        school_class__isnull=True,
                        person__isnull=True,
                    )
                ),
            ),
            models.CheckConstraint(
                name="site_exception_until_after_start",
                condition=models.Q(until__gte=models.F("starts")),
            ),
        ]

    def __str__(self) -> str:
        return f"exception {self.pk}: {self.domain} until {self.until}"

    @property
    def target_label(self) -> str:
        if self.scope == "class" and self.school_class is not None:
            return f"class {self.school_class.title}"
        if self.scope == "school" and self.school is not None:
            return f"school {self.school.name}"
        if self.person is not None:
            return self.person.display_name
        return self.scope


class ReviewRequest(models.Model):
    source = models.CharField(
        max_length=64, default="blockpage", help_text="The spool the request came from."
    )
    seq = models.BigIntegerField(help_text="The record's sequence number in that spool.")
    requested_at = models.DateTimeField(db_index=True)
    requester = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_requests",
    )
    user = models.CharField(max_length=255, blank=True, help_text="The user id the record named.")
    client = models.CharField(max_length=64, blank=True)
    domain = models.CharField(max_length=253)
    rule = models.CharField(max_length=200, blank=True)
    clause = models.CharField(max_length=200, blank=True)
    revision = models.CharField(max_length=64, blank=True)
    why = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=STATUSES, default="open", db_index=True)
    decided_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    exception = models.ForeignKey(
        SiteException, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["source", "seq"], name="review_request_once")
        ]

    def __str__(self) -> str:
        return f"review request {self.pk}: {self.domain} ({self.status})"
