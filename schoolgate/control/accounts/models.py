# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""An account ties a Django user (password, session) to the person record it acts as; an OIDC
identity ties a provider's subject to that account; a login attempt row is what the rate limit
counts. Attempts keep a hash of the username, not the name."""

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


class OidcIdentity(models.Model):
    """An OpenID provider's account, by its stable subject, bound to the console account it
    signed in as the first time.

    The configured claim (an e-mail address, a username) can be handed to someone else at the
    provider; `sub` never is (OpenID Connect Core §2: unique within the issuer and never
    reassigned). Later sign-ins are found by (issuer, sub), so a reassigned address cannot take
    over the person who used to hold it; an account has at most one subject per issuer, and only
    an administrator can unbind it (`schoolgate accounts oidc-unbind`).
    """

    provider = models.CharField(max_length=32, help_text="The provider id it was first seen with.")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, help_text="The ID token's `sub`.")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="oidc_identities")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = "OIDC identity"
        verbose_name_plural = "OIDC identities"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_subject"),
            models.UniqueConstraint(fields=["account", "issuer"], name="oidc_identity_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} identity of account {self.account_id}"


class LoginAttempt(models.Model):
    """A sign-in try: counted per username and per address to slow password guessing."""

    at = models.DateTimeField(db_index=True)
    username_key = models.CharField(max_length=64, db_index=True, help_text="SHA-256")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at"]
