"""An administrator unbinds a person's provider account from their record; no one else can.

The rules of binding are tested against the real provider in test_oidc_binding.py; this is the
console's door to `linking.unbind`, which until now only the CLI opened."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from .console_fixtures import ROLES, Demo, demo

__all__ = ["demo"]

ISSUER = "https://idp.school.example"


def bind(person: Any, provider: str, subject: str) -> None:
    from django.contrib.auth.models import User

    from schoolgate.control.accounts.models import Account, OidcIdentity

    account = Account.objects.filter(person=person).first()
    if account is None:
        user = User.objects.create(username=f"u-{person.pk}")
        account = Account.objects.create(user=user, person=person)
    now = timezone.now()
    OidcIdentity.objects.create(
        provider=provider,
        issuer=f"{ISSUER}/{provider}",
        subject=subject,
        account=account,
        first_seen=now,
        last_seen=now,
    )


def subjects(person: Any) -> set[str]:
    from schoolgate.control.accounts.models import OidcIdentity

    found = OidcIdentity.objects.filter(account__person=person)
    return set(found.values_list("subject", flat=True))


def client_of(demo: Demo, role: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(demo.users[role])
    return client


@pytest.fixture
def teacher(demo: Demo) -> Any:
    person = demo.people["teacher"]
    bind(person, "google", "g-123")
    bind(person, "entra", "e-456")
    return person


def test_an_administrator_sees_the_bound_accounts_and_unbinds_one(demo: Demo, teacher: Any) -> None:
    admin = client_of(demo, "administrator")
    page = admin.get(f"/people/{teacher.sourced_id}/").content.decode()
    assert "Sign-in with a provider" in page and "g-123" in page and "e-456" in page
    assert "Unbind google" in page and "Unbind entra" in page
    url = f"/people/{teacher.sourced_id}/sign-in/unbind/"
    answer = admin.post(url, {"provider": "google"}, follow=True)
    assert answer.status_code == 200
    assert "Unbound 1 provider account." in answer.content.decode()
    assert subjects(teacher) == {"e-456"}  # the other provider's binding stays


def test_without_a_provider_every_binding_of_the_person_goes(demo: Demo, teacher: Any) -> None:
    other = demo.people["principal"]
    bind(other, "google", "g-999")
    admin = client_of(demo, "administrator")
    answer = admin.post(f"/people/{teacher.sourced_id}/sign-in/unbind/", follow=True)
    assert "Unbound 2 provider accounts." in answer.content.decode()
    assert subjects(teacher) == set() and subjects(other) == {"g-999"}
    page = admin.get(f"/people/{teacher.sourced_id}/").content.decode()
    assert "No provider account is bound" in page


@pytest.mark.parametrize("role", [r for r in ROLES[1:] if r != "administrator"])
def test_no_one_else_unbinds_or_sees_the_bindings(demo: Demo, teacher: Any, role: str) -> None:
    client = client_of(demo, role)
    answer = client.post(f"/people/{teacher.sourced_id}/sign-in/unbind/", {"provider": "google"})
    assert answer.status_code == 403
    assert subjects(teacher) == {"g-123", "e-456"}
    page = client.get(f"/people/{teacher.sourced_id}/")
    assert "g-123" not in page.content.decode()  # 200 for those who see the record, else 404


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(teacher: Any) -> None:
    answer = Client().post(f"/people/{teacher.sourced_id}/sign-in/unbind/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert subjects(teacher) == {"g-123", "e-456"}


def test_a_forged_post_without_the_csrf_token_is_refused(demo: Demo, teacher: Any) -> None:
    admin = client_of(demo, "administrator", enforce_csrf_checks=True)
    answer = admin.post(f"/people/{teacher.sourced_id}/sign-in/unbind/", {"provider": "google"})
    assert answer.status_code == 403
    assert subjects(teacher) == {"g-123", "e-456"}


def test_an_unknown_person_is_a_404(demo: Demo) -> None:
    admin = client_of(demo, "administrator")
    assert admin.post("/people/no-such-person/sign-in/unbind/").status_code == 404


def test_the_done_message_shows_only_a_count(demo: Demo, teacher: Any) -> None:
    admin = client_of(demo, "administrator")
    page = admin.get(f"/people/{teacher.sourced_id}/?done=unbound-<b>x</b>").content.decode()
    assert "Unbound" not in page and "<b>x</b>" not in page


@pytest.mark.parametrize(
    ("done", "shown"),
    [
        ("suspended", "Suspended. The new snapshot is published"),
        ("suspended-unpublished", "Suspended, but the snapshot could not be published now"),
        ("unbound-2", "Unbound 2 provider accounts."),
    ],
)
def test_each_outcome_of_an_action_on_the_record_is_shown(
    demo: Demo, teacher: Any, done: str, shown: str
) -> None:
    admin = client_of(demo, "administrator")
    page = admin.get(f"/people/{teacher.sourced_id}/?done={done}").content.decode()
    assert shown in page
