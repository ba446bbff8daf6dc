# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Creating, checking and revoking machine tokens.

A token is `sgt_` and 43 characters of `secrets.token_urlsafe(32)` (256 random bits). The
database keeps its SHA-256: with that much entropy a fast hash is enough (nothing to guess),
and a lookup by digest compares no secret byte by byte. Nothing here logs a secret."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import threading

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from schoolgate.control.api.models import MachineToken

# What a machine may do; every machine route names exactly one of these.
SCOPES = {
    "addresses:read": "read the address → person map (the DNS filter's feed)",
    "leases:write": "upload DHCP lease files (ISC dhcpd.leases, Kea leases4.csv)",
    "snapshot:read": "fetch the published snapshot (student records: an enforcement point's feed)",
}
PREFIX = "sgt_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# last_used is written at most this often, so a feed polled every few seconds is not a write
# per request.
TOUCH_EVERY = dt.timedelta(minutes=1)
# The snapshot route serves the published file without the database; so that it still does while
# the database is unreachable, a `snapshot:read` token the database vouched for within this long
# is accepted on that word. Nothing is lost by it: revoking a token writes the database, so no
# revocation can happen meanwhile, and an expiry passing meanwhile is still checked.
OUTAGE_GRACE = dt.timedelta(hours=1)
OUTAGE_SCOPE = "snapshot:read"

log = logging.getLogger(__name__)
_vouched: dict[str, tuple[dt.datetime, MachineToken]] = {}  # digest → (when checked, token)
_vouched_lock = threading.Lock()


class TokenError(ValueError):
    """A token that cannot be made or revoked; the message says why."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(
    name: str,
    scopes: list[str],
    *,
    created_by: str,
    expires: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[MachineToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    now = now or timezone.now()
    if not NAME.match(name):
        raise TokenError("a token name is 1-100 letters, digits, '.', '_' or '-'")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise TokenError(f"unknown scope {', '.join(unknown)}; one of {', '.join(SCOPES)}")
    if not scopes:
        raise TokenError(f"give at least one scope: {', '.join(SCOPES)}")
    if not created_by.strip():
        raise TokenError("say who creates the token")
    if expires is not None and expires <= now:
        raise TokenError("a token cannot expire before it is made")
    secret = PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = MachineToken.objects.create(
                name=name,
                digest=digest(secret),
                scopes=sorted(set(scopes)),
                created_by=created_by.strip()[:200],
                created=now,
                expires=expires,
            )
    except IntegrityError:
        raise TokenError(f"there is already a token named {name!r}") from None
    return token, secret


def usable(token: MachineToken, now: dt.datetime) -> bool:
    return token.revoked is None and (token.expires is None or token.expires > now)


def authenticate(secret: str, now: dt.datetime | None = None) -> MachineToken | None:
    """The token `secret` belongs to, if it exists and is neither revoked nor expired."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = now or timezone.now()
    key = digest(secret)
    try:
        token = MachineToken.objects.filter(digest=key).first()
    except DatabaseError:
        return _vouched_for(key, now)
    if token is None or not usable(token, now):
        with _vouched_lock:
            _vouched.pop(key, None)
        return None
    if OUTAGE_SCOPE in token.scopes:
        with _vouched_lock:
            _vouched[key] = (now, token)
    if token.last_used is None or now - token.last_used >= TOUCH_EVERY:
        MachineToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def _vouched_for(key: str, now: dt.datetime) -> MachineToken | None:
    """With the database unreachable: the `snapshot:read` token it vouched for lately, limited
    to that scope (every other route needs the database anyway); else the error stands."""
    with _vouched_lock:
        found = _vouched.get(key)
    if found is None or now - found[0] > OUTAGE_GRACE or not usable(found[1], now):
        raise DatabaseError("the machine token cannot be checked: the database is unreachable")
    token = found[1]
    log.warning("database unreachable: machine token %s accepted on its last check", token.name)
    return MachineToken(
        pk=token.pk,
        name=token.name,
        scopes=[OUTAGE_SCOPE],
        created=token.created,
        expires=token.expires,
        last_used=token.last_used,
    )


def revoke(name: str, now: dt.datetime | None = None) -> MachineToken:
    token = MachineToken.objects.filter(name=name).first()
    if token is None:
        raise TokenError(f"no token named {name!r}")
    if token.revoked is not None:
        raise TokenError(f"token {name!r} was already revoked")
    token.revoked = now or timezone.now()
    token.save(update_fields=["revoked"])
    return token


def tokens() -> QuerySet[MachineToken]:
    return MachineToken.objects.all()
