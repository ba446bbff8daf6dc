# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""A consent record is one grant or revocation; the latest per student and consent is in force."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from schoolgate.control.evidence.models import Signature

ACTIONS = [("grant", "granted"), ("revoke", "revoked")]


class ConsentRecord(Signature):
    """Chained in `consents`. `on_behalf_of` is the student; `signer` usually a guardian."""

    CHAIN = "consents"
    CHAIN_FIELDS = (*Signature.SIGNATURE_FIELDS, "pack_id", "consent", "action", "expires_at")

    pack_id = models.CharField(max_length=80)
    consent = models.CharField(max_length=80)
    action = models.CharField(max_length=8, choices=ACTIONS)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(Signature.Meta):
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["on_behalf_of", "consent", "seq"])
        ]
