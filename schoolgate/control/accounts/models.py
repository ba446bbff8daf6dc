# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""An account ties a Django user (password, session) to the person record it acts as; a login
attempt row is what the rate limit counts. Attempts keep a hash of the username, not the name."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class Account(models.Model):
    """One sign-in per person: roles and relationships come from the person, never the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="account")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"account of {self.person_id}"


class LoginAttempt(models.Model):
    """A sign-in try: counted per username and per address to slow password guessing."""

    at = models.DateTimeField(db_index=True)
    username_key = models.CharField(max_length=64, db_index=True, help_text="SHA-256")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at"]
