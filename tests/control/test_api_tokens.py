"""Machine tokens: only a hash is stored, the secret is shown once, expired and revoked tokens
are refused, scopes are exact, and no secret reaches a log line."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from schoolgate.control.api.models import MachineToken
from schoolgate.control.api.tokens import TokenError, authenticate, create, digest, revoke


def bearer(secret: str) -> Client:
    return Client(headers={"authorization": f"Bearer {secret}"})


def test_only_the_hash_is_stored(db: None) -> None:
    token, secret = create("dns-filter", ["addresses:read"], created_by="it")
    assert secret.startswith("sgt_") and len(secret) >= 40
    stored = MachineToken.objects.filter(pk=token.pk).values().get()
    assert stored["digest"] == digest(secret)
    assert all(secret not in str(value) for value in stored.values())
    assert authenticate(secret) == token
    assert authenticate(secret + "x") is None
    assert authenticate(secret[4:]) is None  # without the prefix


@pytest.mark.parametrize(
    ("name", "scopes", "by", "says"),
    [
        ("bad name", ["addresses:read"], "it", "token name"),
        ("ok", ["people:read"], "it", "unknown scope people:read"),
        ("ok", [], "it", "at least one scope"),
        ("ok", ["leases:write"], " ", "who creates"),
    ],
)
def test_bad_tokens_are_not_made(
    db: None, name: str, scopes: list[str], by: str, says: str
) -> None:
    with pytest.raises(TokenError, match=says):
        create(name, scopes, created_by=by)
    assert not MachineToken.objects.exists()


def test_names_are_unique_and_expiry_is_in_the_future(db: None) -> None:
    create("dhcp", ["leases:write"], created_by="it")
    with pytest.raises(TokenError, match="already a token"):
        create("dhcp", ["leases:write"], created_by="it")
    with pytest.raises(TokenError, match="expire before"):
        create("late", ["leases:write"], created_by="it", expires=timezone.now())


def test_expired_and_revoked_tokens_are_refused(db: None) -> None:
    now = timezone.now()
    _, soon = create(
        "soon", ["addresses:read"], created_by="it", expires=now + dt.timedelta(hours=1)
    )
    _, kept = create("kept", ["addresses:read"], created_by="it")
    assert bearer(soon).get("/api/v1/addresses").status_code == 200
    assert authenticate(soon, now + dt.timedelta(hours=2)) is None
    MachineToken.objects.filter(name="soon").update(expires=now - dt.timedelta(seconds=1))
    assert bearer(soon).get("/api/v1/addresses").status_code == 401
    revoke("kept")
    response = bearer(kept).get("/api/v1/addresses")
    assert response.status_code == 401
    assert response.json() == {"error": "the token is unknown, expired or revoked"}
    with pytest.raises(TokenError, match="already revoked"):
        revoke("kept")


def test_last_used_is_recorded_at_most_once_a_minute(db: None) -> None:
    token, secret = create("feed", ["addresses:read"], created_by="it")
    assert token.last_used is None
    start = timezone.now()
    authenticate(secret, start)
    authenticate(secret, start + dt.timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used == start
    authenticate(secret, start + dt.timedelta(minutes=2))
    token.refresh_from_db()
    assert token.last_used == start + dt.timedelta(minutes=2)


def test_no_secret_reaches_a_log(db: None, caplog: pytest.LogCaptureFixture) -> None:
    _, secret = create("dhcp", ["leases:write"], created_by="it")
    with caplog.at_level(logging.DEBUG):
        bearer(secret).get("/api/v1/addresses")  # the wrong scope: 403
        bearer(secret).get("/api/v1/people")  # a people route: 403
        bearer(secret + "x").get("/api/v1/addresses")  # unknown: 401
        bearer(secret).post("/api/v1/leases", {})  # bad input: 400
    assert caplog.records  # Django did log the refusals …
    assert secret not in caplog.text  # … and never the token


def test_the_tokens_command_creates_lists_and_revokes(db: None) -> None:
    from schoolgate.cli import main

    runner = CliRunner()
    made = runner.invoke(
        main,
        [
            "tokens",
            "create",
            "dns-filter",
            "--scope",
            "addresses:read",
            "--by",
            "it",
            "--days",
            "30",
        ],
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("sgt_") and "shown only now" in made.stderr
    assert bearer(secret).get("/api/v1/addresses").status_code == 200

    listed = runner.invoke(main, ["tokens", "list"], catch_exceptions=False)
    assert "dns-filter" in listed.output and "usable" in listed.output
    assert secret not in listed.output

    assert runner.invoke(main, ["tokens", "revoke", "dns-filter"]).exit_code == 0
    assert bearer(secret).get("/api/v1/addresses").status_code == 401
    assert "revoked" in runner.invoke(main, ["tokens", "list"]).output
    again = runner.invoke(main, ["tokens", "revoke", "dns-filter"])
    assert again.exit_code == 1 and "already revoked" in again.output
    bad = runner.invoke(main, ["tokens", "create", "x", "--scope", "people:read", "--by", "it"])
    assert bad.exit_code == 2
