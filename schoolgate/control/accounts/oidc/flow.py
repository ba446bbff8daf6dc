# mypy: warn-return-any=False
# (Django ships no type information: the session returns Any to mypy.)
"""The Authorization Code flow with PKCE, state and nonce (OpenID Connect Core §3.1).

`begin` makes a fresh state, nonce and PKCE verifier, keeps them in the (server-side) session
under the state, and returns the provider's authorization URL. `finish` takes them out again —
one use only, so a replayed callback finds nothing — checks the answer belongs to this provider
(RFC 9207 `iss`), exchanges the code with our client secret and the verifier, and checks the ID
token. Authlib's OAuth2Session builds the requests; nothing here logs a code or a token.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.contrib.sessions.backends.base import SessionBase

from schoolgate.control.accounts.oidc import discovery
from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.oidc.errors import OidcError, bad_token, provider_down
from schoolgate.control.accounts.oidc.tokens import validate_id_token

SESSION_KEY = "oidc_pending"
PENDING_SECONDS = 600  # a sign-in started more than 10 minutes ago is not finished
MAX_PENDING = 5  # sign-ins started in other tabs that are kept
SCOPE = "openid email profile"


@dataclass(frozen=True)
class Result:
    """A finished sign-in: the trusted ID-token claims and where to go next."""

    claims: dict[str, Any]
    next: str


def session_client(provider: Provider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=discovery.TIMEOUT,
    )


def begin(session: SessionBase, provider: Provider, redirect_uri: str, next_url: str = "") -> str:
    """The authorization URL to send the browser to; the secrets stay in `session`."""
    meta = discovery.metadata(provider)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    extra: dict[str, str] = {"nonce": nonce}
    if provider.hosted_domain:
        extra["hd"] = provider.hosted_domain  # Google: offer only the district's accounts
    with session_client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, code_verifier=verifier, **extra
        )
    pending = dict(session.get(SESSION_KEY) or {})
    pending[state] = {
        "provider": provider.id,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
        "at": time.time(),
    }
    newest = sorted(pending.items(), key=lambda kv: kv[1]["at"])[-MAX_PENDING:]
    session[SESSION_KEY] = dict(newest)
    return str(url)


def take_pending(session: SessionBase, provider: Provider, state: str) -> dict[str, Any]:
    """The saved sign-in for `state`, removed from the session whatever happens next."""
    pending = dict(session.get(SESSION_KEY) or {})
    entry = pending.pop(state, None) if state else None
    session[SESSION_KEY] = pending
    if entry is None or entry["provider"] != provider.id:
        raise OidcError(
            "bad-state",
            "This sign-in link is not one this browser started, or it was already used. "
            "Start again from the sign-in page.",
        )
    if time.time() - entry["at"] > PENDING_SECONDS:
        raise OidcError("expired-state", "The sign-in took too long. Start again.")
    return dict(entry)


def exchange(
    provider: Provider, meta: discovery.Metadata, entry: Mapping[str, Any], code: str
) -> dict[str, Any]:
    """The token response for `code`, sent with our client secret and the PKCE verifier."""
    with session_client(provider, entry["redirect_uri"]) as client:
        try:
            return dict(
                client.fetch_token(
                    meta["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=entry["verifier"],
                )
            )
        except AuthlibBaseError:  # the provider's error answer (invalid_grant, …)
            raise OidcError(
                "code-rejected",
                f"{provider.name} did not accept this sign-in (it may have been used already). "
                "Start again from the sign-in page.",
            ) from None
        except (requests.RequestException, ValueError):
            raise provider_down(provider.name) from None


def finish(
    session: SessionBase, provider: Provider, params: Mapping[str, str], now: int | None = None
) -> Result:
    """Check the provider's answer (`params`: the callback's query) and return the claims."""
    entry = take_pending(session, provider, params.get("state", ""))
    meta = discovery.metadata(provider)
    if "iss" in params and params["iss"] != meta.issuer:
        raise OidcError("issuer-mismatch", "The answer came from another provider. Start again.")
    if params.get("error"):
        message = (
            "You cancelled the sign-in."
            if params["error"] == "access_denied"
            else f"{provider.name} refused the sign-in."
        )
        raise OidcError("provider-refused", message, 403)
    code = params.get("code", "")
    if not code:
        raise OidcError("no-code", "The provider's answer has no authorization code. Start again.")
    token = exchange(provider, meta, entry, code)
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise bad_token("it has no ID token")
    claims = validate_id_token(
        id_token,
        provider,
        meta,
        nonce=entry["nonce"],
        access_token=str(token.get("access_token", "")),
        now=now,
        refetch=lambda: discovery.metadata(provider, refresh_keys=True),
    )
    return Result(claims=claims, next=str(entry.get("next") or ""))
