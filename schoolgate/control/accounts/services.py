# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Accounts for people, and sign-in with a rate limit.

The limit is kept in the database, not in process memory, so it holds across server workers
and restarts: more than `MAX_FAILURES_PER_USER` failed tries for one username, or
`MAX_FAILURES_PER_ADDRESS` from one address, within `WINDOW` refuse further tries until the
window has passed — even with the right password, so a guesser learns nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from schoolgate.control.accounts.models import Account, LoginAttempt
from schoolgate.control.people.models import Person

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 30


class RateLimited(Exception):
    """Too many failed sign-ins recently; the message says when to try again."""


class AccountError(ValueError):
    """An account that cannot be created; the message says why."""


def _key(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def create_account(person: Person, password: str, *, username: str = "") -> Account:
    """A sign-in for `person` (username defaults to the roster username); the password is
    checked by Django's validators and stored as an argon2 hash. Re-running sets a new password."""
    username = (username or person.username).strip()
    if not username:
        raise AccountError("the person has no username; give one")
    user = User(username=username)
    validate_password(password, user)
    with transaction.atomic():
        existing = Account.objects.filter(person=person).select_related("user").first()
        if existing is not None:
            user = existing.user
        elif User.objects.filter(username=username).exists():
            raise AccountError(f"the username {username!r} is taken")
        user.username = username
        user.first_name, user.last_name = person.given_name[:150], person.family_name[:150]
        user.set_password(password)
        user.save()
        if existing is not None:
            return existing
        return Account.objects.create(user=user, person=person)


def check_rate(username: str, ip_address: str | None, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    recent = LoginAttempt.objects.filter(at__gte=now - WINDOW, succeeded=False)
    if recent.filter(username_key=_key(username)).count() >= MAX_FAILURES_PER_USER:
        raise RateLimited("too many failed sign-ins for this name; try again in 15 minutes")
    if ip_address and recent.filter(ip_address=ip_address).count() >= MAX_FAILURES_PER_ADDRESS:
        raise RateLimited("too many failed sign-ins from this address; try again in 15 minutes")


def sign_in(request: HttpRequest, username: str, password: str) -> User | None:
    """The user for these credentials, or None; every try is counted. Raises RateLimited."""
    ip_address = request.META.get("REMOTE_ADDR") or None
    check_rate(username, ip_address)
    user = authenticate(request, username=username, password=password)
    if user is not None and not Account.objects.filter(user=user, person__active=True).exists():
        user = None  # a user with no active person record has no business in the console
    LoginAttempt.objects.create(
        at=timezone.now(),
        username_key=_key(username),
        ip_address=ip_address,
        succeeded=user is not None,
    )
    return user
