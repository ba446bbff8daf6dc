"""OIDC sign-in end to end against a real OpenID Provider: panva's certified oidc-provider
(scripts/oidc-provider) on loopback, the console on pytest-django's live server, and a plain
HTTP client that follows links and submits forms as a browser without JavaScript would.

Console login page → "Sign in with …" → the provider's sign-in form → callback → signed in as
the right roster person with the roster's roles; and every way it must refuse."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from schoolgate.control.accounts.oidc import discovery
from schoolgate.control.accounts.oidc.config import Provider

from . import oidc_provider as op

pytestmark = [pytest.mark.integration]

ADA = "ada.lovelace@school.example"
GRACE = "grace.hopper@school.example"
PROVIDER_USERS = op.users(
    ("ada", {"email": ADA, "email_verified": True, "name": "Ada Lovelace", "hd": "school.example"}),
    ("grace", {"email": GRACE, "email_verified": True, "hd": "school.example"}),
    ("stranger", {"email": "stranger@elsewhere.example", "email_verified": True}),
    ("retired", {"email": "retired@school.example", "email_verified": True}),
    ("unverified", {"email": ADA.upper(), "email_verified": False}),
)


@pytest.fixture(scope="session")
def idp(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[op.RunningProvider]:
    """The provider, with the console (and an unrelated app) registered as clients."""
    op.node_ready()
    callback = f"{live_server.url}/login/oidc/test/callback/"
    config = {"clients": op.clients([callback]), "users": PROVIDER_USERS}
    running = op.start(config, tmp_path_factory.mktemp("idp"))
    yield running
    running.stop()


def provider(issuer: str, **changes: Any) -> Provider:
    values = {
        "id": "test",
        "name": "Test IdP",
        "issuer": issuer,
        "client_id": op.CLIENT_ID,
        "client_secret": op.CLIENT_SECRET,
    }
    return Provider(**{**values, **changes})


@pytest.fixture
def console(
    transactional_db: None, settings: Any, live_server: Any, idp: op.RunningProvider
) -> Iterator[dict[str, Any]]:
    """The console offering the test provider, and the roster people the provider knows."""
    from schoolgate.control.people.models import Person
    from schoolgate.control.people.services import add_person

    # Plain HTTP on loopback, as `schoolgate console` serves it: cookies without `Secure`.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SCHOOLGATE_OIDC_PROVIDERS = (provider(idp.issuer),)
    settings.SCHOOLGATE_OIDC_REDIRECT_BASE = ""
    discovery.forget()
    ada = add_person("Ada", "Lovelace", "teacher", username="alovelace", email=ADA)
    grace = add_person("Grace", "Hopper", "principal", email=GRACE)
    retired = add_person("Old", "Timer", "teacher", email="retired@school.example")
    Person.objects.filter(pk=retired.pk).update(active=False)
    yield {"url": live_server.url, "ada": ada, "grace": grace, "retired": retired}
    op.close_browsers()


def start_sign_in(session: requests.Session, base: str, next_url: str = "") -> requests.Response:
    """Open the console's sign-in page and press "Sign in with Test IdP"; the provider's page."""
    page = session.get(f"{base}/login/", timeout=30)
    assert page.status_code == 200
    form = op.form_with_button(page.text, "Sign in with Test IdP")
    data = {**form.fields, "next": next_url} if next_url else form.fields
    answer = session.post(f"{base}{form.action}", data=data, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    return op.follow(session, answer)


def to_callback(session: requests.Session, base: str, login: str) -> str:
    """Sign in at the provider as `login`; the callback URL it sends the browser back to."""
    page = start_sign_in(session, base)
    assert "Test provider sign-in" in page.text
    back = op.provider_login(session, page, login, stop_at=f"{base}/login/oidc/")
    return str(back.headers["X-Stopped-At"])


def sign_in_as(login: str, base: str) -> tuple[requests.Session, requests.Response]:
    session = op.browser()
    callback = to_callback(session, base, login)
    return session, session.get(callback, allow_redirects=True, timeout=30)


def attempts() -> list[bool]:
    from schoolgate.control.accounts.models import LoginAttempt

    return list(LoginAttempt.objects.order_by("at").values_list("succeeded", flat=True))


def test_a_teacher_signs_in_with_the_provider(console: dict[str, Any]) -> None:
    from django.contrib.auth.models import User

    from schoolgate.control.access.scope import viewer
    from schoolgate.control.accounts.models import Account

    session = op.browser()
    page = start_sign_in(session, console["url"], next_url="/people/")
    assert urlsplit(page.url).netloc != urlsplit(console["url"]).netloc  # at the provider
    back = op.provider_login(session, page, "ada")
    assert back.status_code == 200 and back.url == f"{console['url']}/people/"
    home = session.get(f"{console['url']}/", timeout=30).text
    assert "Ada Lovelace (teacher)" in home  # the roster's person and role, in the header
    account = Account.objects.select_related("user", "person").get(person=console["ada"])
    assert account.user.username == "alovelace"
    assert not account.user.has_usable_password()  # only the provider signs this user in
    who = viewer(User.objects.get(pk=account.user.pk))
    assert who.person == console["ada"] and who.roles == {"teacher"}
    assert attempts() == [True]
    # A second sign-in reuses the account.
    sign_in_as("ada", console["url"])
    assert Account.objects.filter(person=console["ada"]).count() == 1


def test_the_authorization_request_uses_pkce_state_and_nonce(console: dict[str, Any]) -> None:
    session = op.browser()
    page = session.get(f"{console['url']}/login/", timeout=30)
    form = op.form_with_button(page.text, "Sign in with Test IdP")
    answer = session.post(f"{console['url']}{form.action}", data=form.fields, allow_redirects=False)
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    assert params["response_type"] == "code" and params["client_id"] == op.CLIENT_ID
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == f"{console['url']}/login/oidc/test/callback/"
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert "code_verifier" not in params and op.CLIENT_SECRET not in answer.headers["Location"]


def test_the_login_page_offers_each_provider_without_javascript(
    console: dict[str, Any], settings: Any
) -> None:
    settings.SCHOOLGATE_OIDC_PROVIDERS = (
        provider("https://accounts.google.com", id="google", name="Google"),
        provider("https://login.microsoftonline.com/x/v2.0", id="entra", name="Microsoft"),
    )
    html = op.browser().get(f"{console['url']}/login/?next=/people/", timeout=30).text
    found = {
        f.buttons[0]: (f.action, f.method, f.fields.get("next"))
        for f in op.forms(html)
        if f.buttons
    }
    assert found["Sign in with Google"] == ("/login/oidc/google/", "post", "/people/")
    assert found["Sign in with Microsoft"] == ("/login/oidc/entra/", "post", "/people/")
    assert "<script" not in html


def test_someone_not_in_the_roster_is_refused(console: dict[str, Any]) -> None:
    from schoolgate.control.accounts.models import Account

    session, answer = sign_in_as("stranger", console["url"])
    assert answer.status_code == 403
    assert "does not match anyone in the district" in answer.text
    assert not Account.objects.exists()
    assert session.get(f"{console['url']}/", allow_redirects=False).status_code == 302
    assert attempts() == [False]


def test_an_inactive_person_is_refused(console: dict[str, Any]) -> None:
    from schoolgate.control.accounts.models import Account

    _, answer = sign_in_as("retired", console["url"])
    assert answer.status_code == 403
    assert "not active" in answer.text
    assert not Account.objects.filter(person=console["retired"]).exists()
    assert attempts() == [False]


def test_an_unverified_email_is_refused(console: dict[str, Any]) -> None:
    _, answer = sign_in_as("unverified", console["url"])
    assert answer.status_code == 403 and "not verified" in answer.text


def test_a_tampered_state_is_refused(console: dict[str, Any]) -> None:
    from schoolgate.control.accounts.models import Account

    session = op.browser()
    callback = urlsplit(to_callback(session, console["url"], "ada"))
    params = parse_qs(callback.query)
    params["state"] = [params["state"][0][:-2] + "xx"]
    tampered = urlunsplit(callback._replace(query=urlencode(params, doseq=True)))
    answer = session.get(tampered, timeout=30)
    assert answer.status_code == 400
    assert "not one this browser started" in answer.text
    assert not Account.objects.exists() and attempts() == [False]


def test_a_callback_from_another_browser_is_refused(console: dict[str, Any]) -> None:
    callback = to_callback(op.browser(), console["url"], "ada")
    answer = op.browser().get(callback, timeout=30)  # no session: a forged or stolen link
    assert answer.status_code == 400 and "not one this browser started" in answer.text


def test_a_replayed_callback_and_a_replayed_code_are_refused(console: dict[str, Any]) -> None:
    session = op.browser()
    callback = to_callback(session, console["url"], "ada")
    assert session.get(callback, timeout=30).status_code == 200  # signed in
    again = session.get(callback, timeout=30)
    assert again.status_code == 400 and "already used" in again.text
    # The same code under a fresh, valid state: the provider refuses a code used once.
    state = _latest_state(session, console["url"])
    params = parse_qs(urlsplit(callback).query)
    params["state"] = [state]
    replay = urlunsplit(urlsplit(callback)._replace(query=urlencode(params, doseq=True)))
    refused = session.get(replay, timeout=30)
    assert refused.status_code == 400 and "did not accept this sign-in" in refused.text
    assert attempts() == [True, False, False]


def _latest_state(session: requests.Session, base: str) -> str:
    """Start a sign-in and return its state (read from the redirect to the provider)."""
    page = session.get(f"{base}/login/", timeout=30)
    form = op.form_with_button(page.text, "Sign in with Test IdP")
    answer = session.post(f"{base}{form.action}", data=form.fields, allow_redirects=False)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["state"][0]


def test_a_provider_that_is_down(console: dict[str, Any], settings: Any) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SCHOOLGATE_OIDC_PROVIDERS = (provider(f"http://127.0.0.1:{port}"),)
    session = op.browser()
    page = session.get(f"{console['url']}/login/", timeout=30)
    form = op.form_with_button(page.text, "Sign in with Test IdP")
    answer = session.post(f"{console['url']}{form.action}", data=form.fields, timeout=30)
    assert answer.status_code == 502
    assert "could not be reached" in answer.text
    assert "Sign in with Test IdP" in answer.text  # the page still offers a way in
    assert attempts() == [False]


def test_a_provider_claiming_another_issuer_is_refused(
    console: dict[str, Any], settings: Any, idp: op.RunningProvider
) -> None:
    # Same server, reached under another name: its metadata names 127.0.0.1, not localhost.
    other_name = idp.issuer.replace("127.0.0.1", "localhost")
    settings.SCHOOLGATE_OIDC_PROVIDERS = (provider(other_name),)
    session = op.browser()
    page = session.get(f"{console['url']}/login/", timeout=30)
    form = op.form_with_button(page.text, "Sign in with Test IdP")
    answer = session.post(f"{console['url']}{form.action}", data=form.fields, timeout=30)
    assert answer.status_code == 502 and "different issuer" in answer.text


def test_a_wrong_hosted_domain_is_refused(console: dict[str, Any], settings: Any) -> None:
    (configured,) = settings.SCHOOLGATE_OIDC_PROVIDERS
    settings.SCHOOLGATE_OIDC_PROVIDERS = (
        Provider(**{**configured.__dict__, "hosted_domain": "other-district.example"}),
    )
    _, answer = sign_in_as("ada", console["url"])
    assert answer.status_code == 403 and "not one of the district" in answer.text


def test_failures_count_toward_the_rate_limit(console: dict[str, Any], settings: Any) -> None:
    from django.utils import timezone

    from schoolgate.control.accounts.models import LoginAttempt
    from schoolgate.control.accounts.oidc.attempts import name_for
    from schoolgate.control.accounts.services import MAX_FAILURES_PER_USER, _key

    (configured,) = settings.SCHOOLGATE_OIDC_PROVIDERS
    LoginAttempt.objects.bulk_create(
        LoginAttempt(at=timezone.now(), username_key=_key(name_for(configured, ADA)))
        for _ in range(MAX_FAILURES_PER_USER)
    )
    _, answer = sign_in_as("ada", console["url"])  # right person, too many recent failures
    assert answer.status_code == 429 and "try again in 15 minutes" in answer.text
    # Grace is not locked out by Ada's failures.
    _, answer = sign_in_as("grace", console["url"])
    assert answer.status_code == 200 and "Grace Hopper (principal)" in answer.text


def test_logs_carry_no_tokens_codes_or_addresses(
    console: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    session = op.browser()
    callback = to_callback(session, console["url"], "stranger")
    with caplog.at_level("DEBUG"):
        session.get(callback, timeout=30)
    ours = ("schoolgate", "django.request", "django.security")  # not the test client's own
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(ours))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert "reason=unknown-person" in text
    assert code not in text and "stranger@" not in text and op.CLIENT_SECRET not in text


# The ID-token checks on real tokens from the provider (issued to us, or to another app).


@pytest.fixture
def tokens(console: dict[str, Any], idp: op.RunningProvider) -> dict[str, Any]:
    nonce = secrets.token_urlsafe(16)
    callback = f"{console['url']}/login/oidc/test/callback/"
    ours = op.token_for(idp.issuer, op.CLIENT_ID, op.CLIENT_SECRET, callback, "ada", nonce)
    theirs = op.token_for(idp.issuer, op.OTHER_ID, op.OTHER_SECRET, callback, "ada", nonce)
    configured = provider(idp.issuer)
    return {
        "nonce": nonce,
        "ours": ours,
        "theirs": theirs,
        "provider": configured,
        "meta": discovery.metadata(configured),
    }


def check(tokens: dict[str, Any], which: str = "ours", **kwargs: Any) -> dict[str, Any]:
    from schoolgate.control.accounts.oidc.tokens import validate_id_token

    response = tokens[which]
    options = {
        "nonce": tokens["nonce"],
        "access_token": response["access_token"],
        **kwargs,
    }
    meta = options.pop("meta", tokens["meta"])
    token = options.pop("id_token", response["id_token"])
    return validate_id_token(token, tokens["provider"], meta, **options)


def test_a_real_id_token_checks_out(tokens: dict[str, Any]) -> None:
    claims = check(tokens)
    assert claims["email"] == ADA and claims["aud"] == op.CLIENT_ID
    assert claims["iss"] == tokens["meta"].issuer


def test_a_token_for_another_client_is_refused(tokens: dict[str, Any]) -> None:
    from schoolgate.control.accounts.oidc.errors import OidcError

    with pytest.raises(OidcError, match="'aud'") as refused:
        check(tokens, "theirs")
    assert refused.value.code == "bad-token"


def test_an_expired_or_early_token_is_refused(tokens: dict[str, Any]) -> None:
    import base64
    import json

    from schoolgate.control.accounts.oidc.errors import OidcError
    from schoolgate.control.accounts.oidc.tokens import LEEWAY

    payload = tokens["ours"]["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    with pytest.raises(OidcError, match="expired"):
        check(tokens, now=claims["exp"] + LEEWAY + 1)
    with pytest.raises(OidcError, match="'iat'"):
        check(tokens, now=claims["iat"] - LEEWAY - 60)


def test_a_bad_signature_is_refused(tokens: dict[str, Any]) -> None:
    import base64

    from schoolgate.control.accounts.oidc.errors import OidcError

    header, payload, signature = tokens["ours"]["id_token"].split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(OidcError, match="signature"):
        check(tokens, id_token=f"{header}.{payload}.{flipped}")
    # Claims changed, signature kept: the same refusal.
    other = tokens["theirs"]["id_token"].split(".")[1]
    with pytest.raises(OidcError, match="signature"):
        check(tokens, id_token=f"{header}.{other}.{signature}")
    # Unsigned (`alg: none`) is never accepted.
    none = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    with pytest.raises(OidcError, match="signature"):
        check(tokens, id_token=f"{none}.{payload}.")


def test_a_wrong_issuer_or_nonce_is_refused(tokens: dict[str, Any]) -> None:
    from schoolgate.control.accounts.oidc.discovery import Metadata
    from schoolgate.control.accounts.oidc.errors import OidcError

    meta = tokens["meta"]
    elsewhere = Metadata({**meta.values, "issuer": "http://127.0.0.1:1"}, meta.jwks, meta.fetched)
    with pytest.raises(OidcError, match="'iss'"):
        check(tokens, meta=elsewhere)
    with pytest.raises(OidcError, match="'nonce'"):
        check(tokens, nonce="not-the-nonce-we-sent")


def test_keys_the_provider_never_published_are_refused(tokens: dict[str, Any]) -> None:
    from schoolgate.control.accounts.oidc.discovery import Metadata
    from schoolgate.control.accounts.oidc.errors import OidcError

    meta = tokens["meta"]
    keyless = Metadata(meta.values, {"keys": []}, meta.fetched)
    with pytest.raises(OidcError, match="signature"):
        check(tokens, meta=keyless)  # no refetch given: the empty key set stands
    # With a refetch, a rotated key is found at jwks_uri again.
    assert check(tokens, meta=keyless, refetch=lambda: meta)["email"] == ADA


def test_the_provider_files_are_pinned() -> None:
    import json

    here = Path(op.HERE)
    package = json.loads((here / "package.json").read_text())
    lock = json.loads((here / "package-lock.json").read_text())
    version = package["dependencies"]["oidc-provider"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert lock["packages"]["node_modules/oidc-provider"]["version"] == version
