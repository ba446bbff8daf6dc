# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""A chained record's fields, the evidence of a signature, and the head of each chain."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class ChainHead(models.Model):
    """The last record of one chain: its count and hash. Deleting a record at the end of a
    chain is caught by comparing against this row (and the anchor file in the data directory)."""

    name = models.CharField(max_length=64, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} #{self.seq} {self.head_hash[:12]}"


class ChainedRecord(models.Model):
    """A record whose hash covers its content and the previous record's hash.

    `CHAIN` names the chain; `CHAIN_FIELDS` are the attributes the hash covers (foreign keys by
    their `_id`). Records are append-only: services never update or delete them.
    """

    CHAIN: ClassVar[str] = ""
    CHAIN_FIELDS: ClassVar[tuple[str, ...]] = ()

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    record_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["seq"]


class Signature(ChainedRecord):
    """The evidence of an electronic signature, shared by acknowledgments and consents.

    `signer` is who typed their name; `on_behalf_of` whose record it is (a guardian signs for a
    student; a person signing for themselves is both).
    """

    signer = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    on_behalf_of = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    intent = models.TextField(help_text="The statement the signer agreed to, word for word.")
    signed_at = models.DateTimeField(db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    document_hash = models.CharField(max_length=64)
    recorded_by = models.CharField(
        max_length=200, blank=True, help_text="Who entered it, when not the signer (a paper form)."
    )

    SIGNATURE_FIELDS: ClassVar[tuple[str, ...]] = (
        "signer_id",
        "on_behalf_of_id",
        "typed_name",
        "intent",
        "signed_at",
        "ip_address",
        "user_agent",
        "document_hash",
        "recorded_by",
    )

    class Meta(ChainedRecord.Meta):
        abstract = True
