# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""Machine tokens: what a program (the DNS filter, a DHCP server's hook) may do through the API.

Only a SHA-256 of the secret is kept, so a copy of the database gives no usable token; the
secret is shown once, when `schoolgate tokens create` makes it."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class MachineToken(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="Which program holds it.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret, hex.")
    scopes = models.JSONField(default=list, help_text="What it may do: api.tokens.SCOPES.")
    created_by = models.CharField(max_length=200, help_text="Who made it (a person or a name).")
    created = models.DateTimeField()
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return f"token {self.name}"
