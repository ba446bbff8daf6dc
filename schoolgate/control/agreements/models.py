# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""Policy versions, the documents people sign, signatures and reminders."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from schoolgate.control.evidence.models import Signature

AUDIENCES = [("staff", "staff (with the notice of electronic monitoring)"), ("student", "student")]
SIGNED_AS = [*AUDIENCES, ("guardian", "a parent or guardian, for a student")]


class PolicyVersion(models.Model):
    """A pack as it was when first seen, by content hash. `baseline` is the version whose
    signatures still count: itself after a material change, its predecessor's otherwise."""

    pack_id = models.CharField(max_length=80)
    version = models.CharField(max_length=80)
    content_hash = models.CharField(max_length=64, unique=True)
    pack_json = models.JSONField()
    registered_at = models.DateTimeField()
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    baseline = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    material = models.BooleanField(help_text="People must sign again (from `policy diff`).")
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-registered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pack_id} {self.version} ({self.content_hash[:12]})"


class PolicyDocument(models.Model):
    """The rendered text a person reads and signs; its SHA-256 is in every signature."""

    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="documents"
    )
    audience = models.CharField(max_length=16, choices=AUDIENCES)
    text = models.TextField()
    text_hash = models.CharField(max_length=64)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["policy_version", "audience"], name="one_document")
        ]


class Acknowledgment(Signature):
    """A signature of a policy document, chained in `acknowledgments`."""

    CHAIN = "acknowledgments"
    CHAIN_FIELDS = (*Signature.SIGNATURE_FIELDS, "policy_hash", "audience")

    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="+")
    policy_hash = models.CharField(max_length=64)
    audience = models.CharField(max_length=16, choices=SIGNED_AS)

    class Meta(Signature.Meta):
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["on_behalf_of", "policy_version"])
        ]


class Reminder(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(db_index=True)
    recipients = models.PositiveSmallIntegerField(default=1)
