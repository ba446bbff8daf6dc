"""A provider's metadata (`/.well-known/openid-configuration`) and signing keys (JWKS).

Fetched over HTTP with a timeout and cached in process memory for an hour: every sign-in would
otherwise cost two extra round trips. The keys are fetched again when a token names a key id we
do not hold (providers rotate keys). The metadata must name the configured issuer exactly —
OpenID Connect Discovery §4.3 — or a provider could speak for another.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.oidc.errors import OidcError, provider_down

TIMEOUT = 10.0  # seconds, each request
TTL = 3600.0  # seconds a provider's metadata and keys are reused
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


@dataclass
class Metadata:
    values: dict[str, Any]
    jwks: dict[str, Any]
    fetched: float

    @property
    def issuer(self) -> str:
        return str(self.values["issuer"])

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


_cache: dict[tuple[str, str], Metadata] = {}
_lock = threading.Lock()


def get_json(url: str, provider: Provider) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise provider_down(provider.name) from None
    if not isinstance(data, dict):
        raise provider_down(provider.name)
    return data


def fetch(provider: Provider) -> Metadata:
    """Fetch the metadata and keys now, checking the issuer and the required endpoints."""
    values = get_json(provider.discovery_url, provider)
    if any(not isinstance(values.get(k), str) for k in REQUIRED):
        raise provider_down(provider.name)
    if values["issuer"] != provider.issuer:
        raise OidcError(
            "issuer-mismatch",
            f"{provider.name} describes itself as a different issuer than the one configured; "
            "sign-in with it is refused. An administrator should check the issuer setting.",
            502,
        )
    jwks = get_json(values["jwks_uri"], provider)
    if not isinstance(jwks.get("keys"), list):
        raise provider_down(provider.name)
    return Metadata(values, jwks, time.monotonic())


def metadata(provider: Provider, *, refresh_keys: bool = False) -> Metadata:
    """The cached metadata for `provider`, fetched when missing, old, or keys are wanted anew."""
    key = (provider.id, provider.issuer)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and not refresh_keys and time.monotonic() - cached.fetched < TTL:
        return cached
    fresh = fetch(provider)
    with _lock:
        _cache[key] = fresh
    return fresh


def forget() -> None:
    """Drop every cached provider (tests; a changed configuration)."""
    with _lock:
        _cache.clear()
