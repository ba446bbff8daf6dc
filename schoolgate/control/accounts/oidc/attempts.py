"""OIDC sign-ins in the same log and under the same limit as passwords (accounts.services).

Before the provider has said who is signing in, a try counts only against the address (a
one-off key, so one person's bad link cannot lock out everyone using that provider); after, it
also counts against that identity. The key is hashed like a username; no claim is stored.
"""

from __future__ import annotations

import logging
import secrets

from django.http import HttpRequest
from django.utils import timezone

from schoolgate.control.accounts.models import LoginAttempt
from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.services import _key, check_rate

log = logging.getLogger("schoolgate.console.oidc")


def address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def name_for(provider: Provider, who: str) -> str:
    """The "username" an OIDC identity is counted under: `oidc:<provider>:<claim value>`."""
    return f"oidc:{provider.id}:{who}" if who else f"oidc:{provider.id}:?{secrets.token_hex(8)}"


def check(request: HttpRequest, provider: Provider, who: str = "") -> None:
    """Raises accounts.services.RateLimited when this address (or identity) has failed too often."""
    check_rate(name_for(provider, who), address(request))


def record(
    request: HttpRequest, provider: Provider, *, who: str = "", succeeded: bool, code: str = ""
) -> None:
    LoginAttempt.objects.create(
        at=timezone.now(),
        username_key=_key(name_for(provider, who)),
        ip_address=address(request),
        succeeded=succeeded,
    )
    if not succeeded:  # the reason code and provider only: never claims, codes or tokens
        log.warning("oidc sign-in refused: provider=%s reason=%s", provider.id, code)
