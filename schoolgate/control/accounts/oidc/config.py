"""OpenID providers read from the environment: small pure functions, no Django, no network.

`SCHOOLGATE_OIDC` lists provider ids (`google,entra`); each id's settings are
`SCHOOLGATE_OIDC_<ID>_<SETTING>` (docs/console.md). Presets fill in what Google Workspace and
Microsoft Entra ID always use, so a district types only its client id, secret and domain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from schoolgate.control.config import ConfigError

# The roster field a claim is matched against (case-insensitively for email).
MATCH_FIELDS = ("email", "sourced_id", "username")
PRESETS = ("google", "entra")
GOOGLE_ISSUER = "https://accounts.google.com"
ENTRA_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CLAIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Provider:
    """One OpenID provider the console offers a "Sign in with …" button for."""

    id: str  # in URLs: /login/oidc/<id>/callback/
    name: str  # on the button
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    claim: str = "email"  # the ID token claim that names the person…
    match: str = "email"  # …and the roster field it must equal
    hosted_domain: str = ""  # Google Workspace: the `hd` claim must be this domain
    tenant: str = ""  # Entra ID: the `tid` claim must be this tenant id

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def provider_ids(env: Mapping[str, str]) -> list[str]:
    """`SCHOOLGATE_OIDC=google,entra` → `["google", "entra"]`; empty means local sign-in only."""
    ids = [i.strip().lower() for i in env.get("SCHOOLGATE_OIDC", "").split(",") if i.strip()]
    for i in ids:
        if not _ID.match(i):
            raise ConfigError(f"SCHOOLGATE_OIDC: {i!r} is not an id (letters, digits, dashes)")
    if len(set(ids)) != len(ids):
        raise ConfigError("SCHOOLGATE_OIDC: an id is listed twice")
    return ids


def issuer_url(name: str, value: str) -> str:
    """An issuer must be HTTPS; plain HTTP is allowed on loopback only (the test provider)."""
    parts = urlsplit(value)
    secure = parts.scheme == "https" and bool(parts.hostname)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK
    if not (secure or loopback):
        raise ConfigError(f"{name}: {value!r} is not an https:// issuer URL")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name}: an issuer URL has no query or fragment")
    return value.rstrip("/") if parts.path not in ("", "/") else f"{parts.scheme}://{parts.netloc}"


def provider(env: Mapping[str, str], pid: str) -> Provider:
    """The settings of provider `pid`, with its preset's defaults, checked."""
    prefix = f"SCHOOLGATE_OIDC_{pid.upper().replace('-', '_')}_"

    def get(key: str, default: str = "") -> str:
        return env.get(prefix + key, "").strip() or default

    preset = get("PRESET", pid if pid in PRESETS else "none").lower()
    if preset not in (*PRESETS, "none"):
        raise ConfigError(f"{prefix}PRESET: {preset!r} is not one of google, entra, none")
    tenant = get("TENANT").lower()
    if preset == "google":
        issuer, name = get("ISSUER", GOOGLE_ISSUER), get("NAME", "Google")
    elif preset == "entra":
        if not _GUID.match(tenant):
            raise ConfigError(
                f"{prefix}TENANT: Entra ID needs the directory (tenant) id, a GUID; "
                "multi-tenant sign-in is not supported"
            )
        issuer = get("ISSUER", ENTRA_ISSUER.format(tenant=tenant))
        name = get("NAME", "Microsoft")
    else:
        issuer, name = get("ISSUER"), get("NAME", pid)
        if not issuer:
            raise ConfigError(f"{prefix}ISSUER: required (or set {prefix}PRESET)")
    client_id, client_secret = get("CLIENT_ID"), get("CLIENT_SECRET")
    if not client_id:
        raise ConfigError(f"{prefix}CLIENT_ID: required")
    if not client_secret:
        raise ConfigError(f"{prefix}CLIENT_SECRET: required")
    claim, match = get("CLAIM", "email"), get("MATCH", "email").lower()
    if not _CLAIM.match(claim):
        raise ConfigError(f"{prefix}CLAIM: {claim!r} is not a claim name")
    if match not in MATCH_FIELDS:
        raise ConfigError(f"{prefix}MATCH: {match!r} is not one of {', '.join(MATCH_FIELDS)}")
    return Provider(
        id=pid,
        name=name,
        issuer=issuer_url(f"{prefix}ISSUER", issuer),
        client_id=client_id,
        client_secret=client_secret,
        claim=claim,
        match=match,
        hosted_domain=get("HOSTED_DOMAIN").lower(),
        tenant=tenant,
    )


def providers(env: Mapping[str, str]) -> tuple[Provider, ...]:
    """Every provider `SCHOOLGATE_OIDC` lists, in its order."""
    return tuple(provider(env, pid) for pid in provider_ids(env))


def redirect_base(env: Mapping[str, str]) -> str:
    """`SCHOOLGATE_OIDC_REDIRECT_BASE`: the console's public origin (`https://console.example`)
    for redirect URIs, when a proxy in front changes the scheme or host; empty means "as asked"."""
    value = env.get("SCHOOLGATE_OIDC_REDIRECT_BASE", "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError(f"SCHOOLGATE_OIDC_REDIRECT_BASE: {value!r} is not an origin URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise ConfigError("SCHOOLGATE_OIDC_REDIRECT_BASE: use https:// off loopback")
    return value
