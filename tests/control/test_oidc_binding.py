"""A provider account is bound to the console account by its stable subject (issuer, `sub`).

Against the real provider (scripts/oidc-provider), whose users `ada` and `ada-new` are two
accounts — two subjects — with the same verified e-mail address: the address reassigned at the
provider. The first to sign in as Ada binds; the other is refused until an administrator unbinds
(`schoolgate accounts oidc-unbind`). The rules themselves are also checked on claims directly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from schoolgate.cli import main
from schoolgate.control.accounts.oidc import discovery

from . import oidc_provider as op
from .test_oidc_flow import attempts, provider, sign_in_as

ADA = "ada.lovelace@school.example"
GRACE = "grace.hopper@school.example"
PROVIDER_USERS = op.users(
    ("ada", {"email": ADA, "email_verified": True}),
    ("ada-new", {"email": ADA, "email_verified": True}),  # the address, given to someone new
    ("grace", {"email": GRACE, "email_verified": True}),
)


@pytest.fixture(scope="session")
def binding_idp(
    live_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[op.RunningProvider]:
    op.node_ready()
    callback = f"{live_server.url}/login/oidc/test/callback/"
    config = {"clients": op.clients([callback]), "users": PROVIDER_USERS}
    running = op.start(config, tmp_path_factory.mktemp("idp-binding"))
    yield running
    running.stop()


@pytest.fixture
def console(
    transactional_db: None, settings: Any, live_server: Any, binding_idp: op.RunningProvider
) -> Iterator[dict[str, Any]]:
    from schoolgate.control.people.services import add_person

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SCHOOLGATE_OIDC_PROVIDERS = (provider(binding_idp.issuer),)
    settings.SCHOOLGATE_OIDC_REDIRECT_BASE = ""
    discovery.forget()
    ada = add_person("Ada", "Lovelace", "teacher", username="alovelace", email=ADA)
    grace = add_person("Grace", "Hopper", "principal", username="ghopper", email=GRACE)
    yield {"url": live_server.url, "issuer": binding_idp.issuer, "ada": ada, "grace": grace}
    op.close_browsers()


def bindings() -> list[tuple[str, str, str, int]]:
    from schoolgate.control.accounts.models import OidcIdentity

    rows = OidcIdentity.objects.order_by("pk").values_list(
        "provider", "issuer", "subject", "account__person_id"
    )
    return list(rows)


def signed_in(session: requests.Session, base: str) -> bool:
    return session.get(f"{base}/", allow_redirects=False, timeout=30).status_code == 200


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["accounts", *args], catch_exceptions=False)


def test_the_first_sign_in_binds_the_subject(console: dict[str, Any]) -> None:
    from schoolgate.control.accounts.models import OidcIdentity

    _, answer = sign_in_as("ada", console["url"])
    assert answer.status_code == 200 and "Ada Lovelace (teacher)" in answer.text
    assert bindings() == [("test", console["issuer"], "ada", console["ada"].pk)]
    bound = OidcIdentity.objects.get()
    assert bound.account.person == console["ada"] and bound.first_seen == bound.last_seen


def test_the_same_subject_signs_in_again(console: dict[str, Any]) -> None:
    from schoolgate.control.accounts.models import Account, OidcIdentity

    sign_in_as("ada", console["url"])
    first = OidcIdentity.objects.get()
    session, answer = sign_in_as("ada", console["url"])
    assert answer.status_code == 200 and signed_in(session, console["url"])
    again = OidcIdentity.objects.get()
    assert again.pk == first.pk and again.last_seen > first.last_seen
    assert again.first_seen == first.first_seen
    assert Account.objects.filter(person=console["ada"]).count() == 1
    assert attempts() == [True, True]


def test_another_provider_account_with_the_address_is_refused(
    console: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    sign_in_as("ada", console["url"])
    with caplog.at_level("WARNING"):
        session, answer = sign_in_as("ada-new", console["url"])
    assert answer.status_code == 403
    assert "already linked to a different Test IdP account" in answer.text
    assert "ask an administrator to unlink" in answer.text
    assert not signed_in(session, console["url"])
    assert bindings() == [("test", console["issuer"], "ada", console["ada"].pk)]
    assert attempts() == [True, False]  # in the sign-in log, and counted by the rate limit
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("schoolgate"))
    assert "reason=bound-to-another" in text and "@" not in text and "ada-new" not in text
    # Ada herself is not locked out by it.
    assert sign_in_as("ada", console["url"])[1].status_code == 200


def test_unbind_then_the_next_sign_in_binds_again(console: dict[str, Any]) -> None:
    sign_in_as("ada", console["url"])
    listed = cli("oidc-list", "alovelace")
    assert listed.exit_code == 0 and "sub ada;" in listed.output and "Ada Lovelace" in listed.output
    done = cli("oidc-unbind", "alovelace")
    assert done.exit_code == 0 and "unbound 1 provider account of Ada Lovelace" in done.output
    assert bindings() == []
    # Ada's new provider account binds, and it is now the old one that is refused.
    _, answer = sign_in_as("ada-new", console["url"])
    assert answer.status_code == 200 and "Ada Lovelace (teacher)" in answer.text
    assert bindings() == [("test", console["issuer"], "ada-new", console["ada"].pk)]
    _, old = sign_in_as("ada", console["url"])
    assert old.status_code == 403 and "already linked to a different" in old.text
    assert "sub ada-new;" in cli("oidc-list").output


def test_a_bound_person_who_is_no_longer_active_is_refused(console: dict[str, Any]) -> None:
    from schoolgate.control.people.models import Person

    sign_in_as("ada", console["url"])
    Person.objects.filter(pk=console["ada"].pk).update(active=False)
    session, answer = sign_in_as("ada", console["url"])
    assert answer.status_code == 403 and "not active" in answer.text
    assert not signed_in(session, console["url"]) and attempts() == [True, False]


def test_a_bound_person_whose_record_no_longer_carries_the_address_is_refused(
    console: dict[str, Any],
) -> None:
    from schoolgate.control.people.models import Person

    sign_in_as("grace", console["url"])
    # The roster moves the address to someone else: Grace's subject must not follow it there,
    # nor keep signing in as Grace with an address her record no longer has.
    Person.objects.filter(pk=console["grace"].pk).update(email="g.hopper@school.example")
    Person.objects.filter(pk=console["ada"].pk).update(email=GRACE)
    session, answer = sign_in_as("grace", console["url"])
    assert answer.status_code == 403 and "no longer matches" in answer.text
    assert not signed_in(session, console["url"]) and attempts() == [True, False]


def test_unbind_needs_a_person_or_a_provider(console: dict[str, Any]) -> None:
    sign_in_as("ada", console["url"])
    sign_in_as("grace", console["url"])
    assert cli("oidc-unbind").exit_code == 1
    assert cli("oidc-unbind", "--everyone").exit_code == 1
    assert cli("oidc-unbind", "alovelace", "--everyone", "--provider", "test").exit_code == 1
    assert "unbound 0" in cli("oidc-unbind", "alovelace", "--provider", "google").output
    assert len(bindings()) == 2
    done = cli("oidc-unbind", "--everyone", "--provider", "test")
    assert "unbound 2 provider accounts of everyone" in done.output and bindings() == []


# The rules on claims directly, without a provider (claims as `tokens` would pass them on).

ISSUER = "https://idp.school.example"
TEST = provider(ISSUER)


def claims(sub: str, email: str = ADA) -> dict[str, Any]:
    return {"iss": ISSUER, "sub": sub, "email": email, "email_verified": True}


@pytest.fixture
def ada(db: None) -> Any:
    from schoolgate.control.people.services import add_person

    return add_person("Ada", "Lovelace", "teacher", username="alovelace", email=ADA)


def refusal(value: dict[str, Any]) -> str:
    from schoolgate.control.accounts.oidc.errors import OidcError
    from schoolgate.control.accounts.oidc.linking import link

    with pytest.raises(OidcError) as refused:
        link(value, TEST)
    return refused.value.code


def test_a_password_account_is_bound_on_its_first_oidc_sign_in(ada: Any, settings: Any) -> None:
    from schoolgate.control.accounts.oidc.linking import link
    from schoolgate.control.accounts.services import create_account

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    account = create_account(ada, "a long enough pass phrase 1")
    assert link(claims("s-1"), TEST) == account.user
    assert account.oidc_identities.get().subject == "s-1"
    assert refusal(claims("s-2")) == "bound-to-another"


def test_the_address_is_matched_in_any_case_once_bound(ada: Any) -> None:
    from schoolgate.control.accounts.oidc.linking import link

    user = link(claims("s-1"), TEST)
    assert link(claims("s-1", ADA.upper()), TEST) == user


def test_a_subject_bound_meanwhile_is_refused_not_crashed(ada: Any) -> None:
    from django.contrib.auth.models import User

    from schoolgate.control.accounts.models import Account, OidcIdentity
    from schoolgate.control.accounts.oidc.errors import OidcError
    from schoolgate.control.accounts.oidc.linking import bind
    from schoolgate.control.people.services import add_person

    other = add_person("Old", "Timer", "teacher", username="otimer")
    account = Account.objects.create(user=User.objects.create(username="otimer"), person=other)
    OidcIdentity.objects.create(
        provider="test",
        issuer=ISSUER,
        subject="s-1",
        account=account,
        first_seen=account.created_at,
        last_seen=account.created_at,
    )
    with pytest.raises(OidcError) as refused:  # as if a simultaneous sign-in won the race
        bind(ada, ISSUER, "s-1", TEST)
    assert refused.value.code == "binding-conflict"
    assert not Account.objects.filter(person=ada).exists()  # the new account rolled back


def test_unusable_subjects_are_refused(ada: Any) -> None:
    assert refusal({**claims("s-1"), "sub": ""}) == "bad-token"
    assert refusal({**claims("s-1"), "sub": "x" * 256}) == "bad-token"
    assert refusal({**claims("s-1"), "sub": 7}) == "bad-token"


def test_unbind_logs_no_address(ada: Any, caplog: pytest.LogCaptureFixture) -> None:
    from schoolgate.control.accounts.oidc.linking import link, unbind

    link(claims("s-1"), TEST)
    with caplog.at_level("WARNING"):
        assert unbind(ada) == 1
    text = caplog.text
    assert "provider=test" in text and "@" not in text and "s-1" not in text
    with pytest.raises(ValueError, match="name a person"):
        unbind()
