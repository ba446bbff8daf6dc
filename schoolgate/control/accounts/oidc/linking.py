# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""From trusted ID-token claims to the console user who acts as an existing roster person.

The provider proves who signed in; the roster decides who that is here and what they may do. A
claim that names nobody, or a person no longer active, is refused and nothing is created. A
person seen for the first time gets a console user with no password (only the provider can sign
them in) linked through `accounts.Account`; roles still come from the person
(`access/scope.py`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from schoolgate.control.accounts.models import Account
from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.oidc.errors import OidcError
from schoolgate.control.people.models import Person

NOT_FOUND = (
    "You signed in with {provider}, but that account does not match anyone in the district's "
    "roster. Ask the school office to check the address on your record."
)
NOT_ACTIVE = (
    "You signed in with {provider}, but your record in the district's roster is not active, so "
    "the console is closed to you. Ask the school office if this is a mistake."
)


def identity(claims: dict[str, Any], provider: Provider) -> str:
    """The configured claim's value: who the provider says signed in."""
    value = claims.get(provider.claim)
    if not isinstance(value, str) or not value.strip():
        raise OidcError(
            "missing-claim",
            f"{provider.name} did not say who you are (no {provider.claim!r} in its answer). "
            "An administrator should check the claim setting.",
            403,
        )
    if provider.claim == "email" and claims.get("email_verified") is False:
        raise OidcError(
            "unverified-email",
            f"{provider.name} has not verified that e-mail address, so it cannot sign you in.",
            403,
        )
    return value.strip()


def find_person(value: str, provider: Provider) -> Person:
    """The one active roster person whose `provider.match` field equals `value`."""
    lookup = {"email": "email__iexact", "sourced_id": "sourced_id", "username": "username"}
    people = list(Person.objects.filter(**{lookup[provider.match]: value})[:3])
    usable = [p for p in people if p.active and p.enabled]
    if not people:
        raise OidcError("unknown-person", NOT_FOUND.format(provider=provider.name), 403)
    if not usable:
        raise OidcError("inactive-person", NOT_ACTIVE.format(provider=provider.name), 403)
    if len(usable) > 1:
        raise OidcError(
            "ambiguous-person",
            "More than one record in the district's roster has that address, so the console "
            "cannot tell which is yours. Ask the school office to correct the roster.",
            403,
        )
    return usable[0]


def free_username(person: Person) -> str:
    for candidate in (person.username, person.sourced_id, f"oidc-{person.pk}"):
        if candidate and not User.objects.filter(username=candidate[:150]).exists():
            return candidate[:150]
    raise OidcError("no-username", "No console username is free for this person.", 500)


def user_for(person: Person) -> User:
    """The console user acting as `person`: their account's, or a new one without a password."""
    with transaction.atomic():
        account = Account.objects.select_related("user").filter(person=person).first()
        if account is not None:
            if not account.user.is_active:
                raise OidcError(
                    "inactive-user", NOT_ACTIVE.format(provider="your school account"), 403
                )
            return account.user
        user = User(username=free_username(person))
        user.first_name, user.last_name = person.given_name[:150], person.family_name[:150]
        user.set_unusable_password()
        user.save()
        Account.objects.create(user=user, person=person)
        return user


def link(claims: dict[str, Any], provider: Provider) -> User:
    """The user for these trusted claims, or OidcError saying why not."""
    return user_for(find_person(identity(claims, provider), provider))
