# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""From trusted ID-token claims to the console user who acts as an existing roster person.

The provider proves who signed in; the roster decides who that is here and what they may do. A
claim that names nobody, or a person no longer active, is refused and nothing is created. A
person seen for the first time gets a console user with no password (only the provider can sign
them in) linked through `accounts.Account`; roles still come from the person
(`access/scope.py`).

The claim finds the person only the first time. That sign-in binds the provider's stable subject
(issuer, `sub`) to the account (`accounts.OidcIdentity`), and later sign-ins are found by it: an
address reassigned at the provider names the roster person who still carries it, but arrives
with another `sub`, which is refused rather than let in as them. A bound subject must still
name an active person whose record carries the claim. Only an administrator unbinds
(`schoolgate accounts oidc-unbind`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from schoolgate.control.accounts.models import Account, OidcIdentity
from schoolgate.control.accounts.oidc.config import Provider
from schoolgate.control.accounts.oidc.errors import OidcError, bad_token
from schoolgate.control.people.models import Person

NOT_FOUND = (
    "You signed in with {provider}, but that account does not match anyone in the district's "
    "roster. Ask the school office to check the address on your record."
)
NOT_ACTIVE = (
    "You signed in with {provider}, but your record in the district's roster is not active, so "
    "the console is closed to you. Ask the school office if this is a mistake."
)
BOUND_TO_ANOTHER = (
    "You signed in with {provider}, but the roster record that account names is already linked "
    "to a different {provider} account, so it cannot sign in as that person. If your account "
    "at {provider} was replaced, ask an administrator to unlink the old one."
)
NO_LONGER_MATCHES = (
    "Your {provider} account is linked to a record in the district's roster that no longer "
    "matches it. Ask the school office to check your record, or an administrator to unlink the "
    "account."
)
log = logging.getLogger("schoolgate.console.oidc")
LOOKUP = {"email": "email__iexact", "sourced_id": "sourced_id", "username": "username"}


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
    people = list(Person.objects.filter(**{LOOKUP[provider.match]: value})[:3])
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


def subject(claims: dict[str, Any]) -> tuple[str, str]:
    """(issuer, sub): the provider account itself, stable where the configured claim is not.
    Both were checked by `tokens` (the issuer is the configured one, `sub` is present)."""
    issuer, sub = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not issuer:
        raise bad_token("the 'iss' claim is missing")
    if not isinstance(sub, str) or not sub or len(sub) > 255:  # Core §2: at most 255 ASCII
        raise bad_token("the 'sub' claim is not usable")
    return issuer, sub


def usable(person: Person) -> bool:
    return bool(person.active and person.enabled)


def matches(person: Person, value: str, provider: Provider) -> bool:
    """Whether `person`'s record still carries the claim (compared as `find_person` does)."""
    return bool(Person.objects.filter(pk=person.pk, **{LOOKUP[provider.match]: value}).exists())


def account_for(person: Person) -> Account:
    """The account acting as `person`, or a new one whose user has no password. Call inside a
    transaction, so a refused binding leaves no new account behind."""
    account = Account.objects.select_related("user").filter(person=person).first()
    if account is not None:
        return account
    user = User(username=free_username(person))
    user.first_name, user.last_name = person.given_name[:150], person.family_name[:150]
    user.set_unusable_password()
    user.save()
    return Account.objects.create(user=user, person=person)


def active_user(account: Account) -> User:
    if not account.user.is_active:
        raise OidcError("inactive-user", NOT_ACTIVE.format(provider="your school account"), 403)
    return account.user


def signed_in(bound: OidcIdentity, value: str, provider: Provider) -> User:
    """A returning subject: its account's user, if the person is active and still matches."""
    person = bound.account.person
    if not usable(person):
        raise OidcError("inactive-person", NOT_ACTIVE.format(provider=provider.name), 403)
    if not matches(person, value, provider):
        raise OidcError("binding-mismatch", NO_LONGER_MATCHES.format(provider=provider.name), 403)
    user = active_user(bound.account)
    OidcIdentity.objects.filter(pk=bound.pk).update(last_seen=timezone.now())
    return user


def bind(person: Person, issuer: str, sub: str, provider: Provider) -> User:
    """A first sign-in: bind (issuer, sub) to `person`'s account, unless it has another subject
    at this issuer already (the claim was reassigned, or the person has a new provider account:
    either way an administrator decides)."""
    try:
        with transaction.atomic():
            account = account_for(person)
            if OidcIdentity.objects.filter(account=account, issuer=issuer).exists():
                raise OidcError(
                    "bound-to-another", BOUND_TO_ANOTHER.format(provider=provider.name), 403
                )
            user = active_user(account)
            now = timezone.now()
            OidcIdentity.objects.create(
                provider=provider.id,
                issuer=issuer,
                subject=sub,
                account=account,
                first_seen=now,
                last_seen=now,
            )
            return user
    except IntegrityError:  # a simultaneous first sign-in bound it first: decide on a retry
        raise OidcError(
            "binding-conflict", "Another sign-in for this account was under way. Try again.", 409
        ) from None


def link(claims: dict[str, Any], provider: Provider) -> User:
    """The user for these trusted claims, or OidcError saying why not: by subject when it is
    bound, else by the claim, binding the subject to the person it finds."""
    value = identity(claims, provider)
    issuer, sub = subject(claims)
    bound = (
        OidcIdentity.objects.select_related("account__person", "account__user")
        .filter(issuer=issuer, subject=sub)
        .first()
    )
    if bound is not None:
        return signed_in(bound, value, provider)
    return bind(find_person(value, provider), issuer, sub, provider)


def identities(person: Person | None = None) -> list[OidcIdentity]:
    """The bound provider accounts (of `person`, or everyone's), oldest first."""
    found = OidcIdentity.objects.select_related("account__person").order_by("first_seen", "pk")
    return list(found.filter(account__person=person) if person is not None else found)


def unbind(person: Person | None = None, provider_id: str = "") -> int:
    """Forget bound subjects (of `person`, those first seen with `provider_id`, or both) so the
    next sign-in binds anew; how many. An administrator's decision: the claim alone then names
    the person again, once. Logs the provider and account id only."""
    if person is None and not provider_id:
        raise ValueError("name a person or a provider")
    found = OidcIdentity.objects.all()
    if person is not None:
        found = found.filter(account__person=person)
    if provider_id:
        found = found.filter(provider=provider_id)
    gone = list(found.values_list("provider", "account_id"))
    found.delete()
    for pid, account_id in gone:
        log.warning("oidc identity unbound: provider=%s account=%s", pid, account_id)
    return len(gone)
