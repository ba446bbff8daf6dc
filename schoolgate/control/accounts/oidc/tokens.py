"""The ID token check: signature against the provider's published keys, then the claims.

joserfc verifies the signature with the JWKS from discovery, allowing only asymmetric algorithms
the provider advertises (never `none`, never HS256 keyed with our client secret). Authlib's
`CodeIDToken` then checks issuer, audience (our client id), expiry and issue time with a small
leeway, the nonce we sent, `azp` and `at_hash`. A Google `hd` or Entra `tid` restriction is
checked last. Errors name the check that failed, never the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
    MissingKeyError,
)
from joserfc.jwk import KeySet

from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.oidc.discovery import Metadata
from schoolgate.control.accounts.oidc.errors import OidcError, bad_token

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY = 60  # seconds of clock difference tolerated between us and the provider


def algorithms(meta: Metadata) -> list[str]:
    advertised = meta.values.get("id_token_signing_alg_values_supported") or ["RS256"]
    allowed = [a for a in advertised if a in ASYMMETRIC]
    if not allowed:
        raise bad_token("the provider signs ID tokens with no algorithm we accept")
    return allowed


def verify_signature(id_token: str, meta: Metadata, refetch: Callable[[], Metadata]) -> Any:
    """The decoded token once its signature checks out; keys are fetched again once if the
    token names a key id we do not hold."""
    try:
        try:
            return jwt.decode(
                id_token, KeySet.import_key_set(cast(Any, meta.jwks)), algorithms(meta)
            )
        except (InvalidKeyIdError, MissingKeyError):
            meta = refetch()
            return jwt.decode(
                id_token, KeySet.import_key_set(cast(Any, meta.jwks)), algorithms(meta)
            )
    except OidcError:
        raise
    except (JoseError, ValueError, TypeError):
        raise bad_token("its signature does not match the provider's keys") from None


def check_claims(
    token: Any,
    provider: Provider,
    meta: Metadata,
    *,
    nonce: str,
    access_token: str = "",
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims when issuer, audience, times, nonce and domain all hold."""
    options = {
        "iss": {"essential": True, "value": meta.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True},
    }
    params = {"nonce": nonce, "client_id": provider.client_id}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(now=now, leeway=LEEWAY)
    except ExpiredTokenError:
        raise bad_token("it has expired") from None
    except MissingClaimError as exc:
        raise bad_token(f"the {exc.claim!r} claim is missing") from None
    except JoseError as exc:
        claim = getattr(exc, "claim", "")
        raise bad_token(f"the {claim!r} claim is wrong" if claim else "its claims") from None
    values = dict(claims)
    check_domain(values, provider)
    return values


def check_domain(claims: dict[str, Any], provider: Provider) -> None:
    """Google Workspace's `hd` and Entra ID's `tid`: the account belongs to our district."""
    if provider.hosted_domain and str(claims.get("hd", "")).lower() != provider.hosted_domain:
        raise OidcError(
            "wrong-domain",
            f"That {provider.name} account is not one of the district's "
            f"({provider.hosted_domain}). Sign in with your school account.",
            403,
        )
    if provider.tenant and str(claims.get("tid", "")).lower() != provider.tenant:
        raise OidcError(
            "wrong-tenant",
            f"That {provider.name} account is not in the district's directory. "
            "Sign in with your school account.",
            403,
        )


def validate_id_token(
    id_token: str,
    provider: Provider,
    meta: Metadata,
    *,
    nonce: str,
    access_token: str = "",
    now: int | None = None,
    refetch: Callable[[], Metadata] | None = None,
) -> dict[str, Any]:
    """Signature, then claims: the trusted claims of `id_token`, or OidcError."""
    token = verify_signature(id_token, meta, refetch or (lambda: meta))
    return check_claims(token, provider, meta, nonce=nonce, access_token=access_token, now=now)
