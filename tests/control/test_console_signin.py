"""Sign-in: argon2 hashes, accounts tied to person records, rate limiting, CSRF, cookies and
session expiry."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from schoolgate.control import config
from schoolgate.control.accounts.models import Account, LoginAttempt
from schoolgate.control.accounts.services import (
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USER,
    WINDOW,
    AccountError,
    RateLimited,
    check_rate,
    create_account,
)
from schoolgate.control.people.models import Person
from schoolgate.control.people.services import add_person

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # noqa: S105


@pytest.fixture
def teacher() -> Person:
    person = add_person("Ada", "Lovelace", "teacher", username="alovelace")
    create_account(person, PASSWORD)
    return person


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def test_argon2_is_the_hasher(teacher: Person) -> None:
    assert django_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = User.objects.get(username="alovelace")
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert Account.objects.get(user=user).person == teacher


def test_sign_in_and_out(teacher: Person) -> None:
    client = Client()
    response = sign_in(client, "alovelace", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Ada Lovelace" in client.get("/").content.decode()
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(teacher: Person) -> None:
    for username, password in (("alovelace", "wrong password!"), ("nobody", PASSWORD)):
        response = sign_in(Client(), username, password)
        assert response.status_code == 401
        assert "do not match an account" in response.content.decode()


def test_rate_limit_holds_even_with_the_right_password(teacher: Person) -> None:
    client = Client()
    for _ in range(MAX_FAILURES_PER_USER):
        assert sign_in(client, "alovelace", "not the password").status_code == 401
    response = sign_in(client, "ALovelace ", PASSWORD)  # same name, other spelling
    assert response.status_code == 429
    assert "try again in 15 minutes" in response.content.decode()
    assert client.get("/").status_code == 302
    stored = LoginAttempt.objects.values_list("username_key", flat=True)
    assert all("lovelace" not in key for key in stored)  # hashes, not names


def test_other_names_are_not_locked_out(teacher: Person) -> None:
    other = add_person("Grace", "Hopper", "teacher", username="ghopper")
    create_account(other, PASSWORD)
    for _ in range(MAX_FAILURES_PER_USER):
        sign_in(Client(), "alovelace", "not the password")
    assert sign_in(Client(), "ghopper", PASSWORD).status_code == 302


def test_an_inactive_person_cannot_sign_in(teacher: Person) -> None:
    Person.objects.filter(pk=teacher.pk).update(active=False)
    assert sign_in(Client(), "alovelace", PASSWORD).status_code == 401


def test_csrf_is_enforced(teacher: Person) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alovelace", "password": PASSWORD})
    assert response.status_code == 403
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/login/", {"username": "alovelace", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_cookie_and_session_settings(teacher: Person) -> None:
    assert django_settings.SESSION_COOKIE_SECURE and django_settings.CSRF_COOKIE_SECURE
    assert django_settings.SESSION_COOKIE_HTTPONLY
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    response = sign_in(Client(), "alovelace", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"


def test_a_session_expires(teacher: Person, settings: Any) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    sign_in(client, "alovelace", PASSWORD)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now())
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("value", "seconds"), [("", 8 * 3600), ("1", 3600), ("0.5", 1800), ("168", 168 * 3600)]
)
def test_session_hours(value: str, seconds: int) -> None:
    assert config.session_seconds({"SCHOOLGATE_SESSION_HOURS": value}) == seconds


@pytest.mark.parametrize("value", ["soon", "0", "-1", "1000"])
def test_bad_session_hours(value: str) -> None:
    with pytest.raises(config.ConfigError, match="SCHOOLGATE_SESSION_HOURS"):
        config.session_seconds({"SCHOOLGATE_SESSION_HOURS": value})


def test_weak_passwords_and_taken_names_are_refused(teacher: Person) -> None:
    from django.core.exceptions import ValidationError

    other = add_person("Grace", "Hopper", "teacher", username="ghopper")
    with pytest.raises(ValidationError):
        create_account(other, "short")
    with pytest.raises(AccountError, match="taken"):
        create_account(other, PASSWORD, username="alovelace")
    nameless = add_person("No", "Name", "teacher")
    with pytest.raises(AccountError, match="no username"):
        create_account(nameless, PASSWORD)
    assert not Account.objects.filter(person__in=[other, nameless]).exists()


def test_an_open_redirect_is_refused(teacher: Person) -> None:
    response = Client().post(
        "/login/",
        {"username": "alovelace", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_one_address_guessing_many_names_is_slowed(teacher: Person) -> None:
    from django.utils import timezone

    from schoolgate.control.accounts.services import _key

    now = timezone.now()
    LoginAttempt.objects.bulk_create(
        LoginAttempt(at=now, username_key=_key(f"user{i}"), ip_address="192.0.2.7")
        for i in range(MAX_FAILURES_PER_ADDRESS)
    )
    refused = Client(REMOTE_ADDR="192.0.2.7").post(
        "/login/", {"username": "alovelace", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert sign_in(Client(REMOTE_ADDR="192.0.2.8"), "alovelace", PASSWORD).status_code == 302
    with pytest.raises(RateLimited):
        check_rate("someone", "192.0.2.7")
    # Old failures fall out of the window.
    LoginAttempt.objects.update(at=now - 2 * WINDOW)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.7"), "alovelace", PASSWORD).status_code == 302
