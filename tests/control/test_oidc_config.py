"""OIDC providers parsed from the environment (pure: no database, no network)."""

from __future__ import annotations

import pytest

from schoolgate.control.accounts.oidc import config as oidc
from schoolgate.control.config import ConfigError

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_none_by_default() -> None:
    assert oidc.providers({}) == ()
    assert oidc.providers({"SCHOOLGATE_OIDC": " , "}) == ()


def test_google_preset() -> None:
    env = {
        "SCHOOLGATE_OIDC": "google",
        "SCHOOLGATE_OIDC_GOOGLE_CLIENT_ID": "123.apps.googleusercontent.com",
        "SCHOOLGATE_OIDC_GOOGLE_CLIENT_SECRET": "s3cret",
        "SCHOOLGATE_OIDC_GOOGLE_HOSTED_DOMAIN": "District.example",
    }
    (google,) = oidc.providers(env)
    assert google.id == "google" and google.name == "Google"
    assert google.issuer == "https://accounts.google.com"
    assert google.discovery_url == "https://accounts.google.com/.well-known/openid-configuration"
    assert (google.claim, google.match) == ("email", "email")
    assert google.hosted_domain == "district.example"
    assert "s3cret" not in repr(google)  # the secret never reaches a log line through repr


def test_entra_preset_needs_a_tenant_id() -> None:
    env = {
        "SCHOOLGATE_OIDC": "google,entra",
        "SCHOOLGATE_OIDC_GOOGLE_CLIENT_ID": "g",
        "SCHOOLGATE_OIDC_GOOGLE_CLIENT_SECRET": "gs",
        "SCHOOLGATE_OIDC_ENTRA_CLIENT_ID": "e",
        "SCHOOLGATE_OIDC_ENTRA_CLIENT_SECRET": "es",
        "SCHOOLGATE_OIDC_ENTRA_TENANT": TENANT.upper(),
        "SCHOOLGATE_OIDC_ENTRA_CLAIM": "preferred_username",
        "SCHOOLGATE_OIDC_ENTRA_MATCH": "username",
    }
    google, entra = oidc.providers(env)
    assert google.id == "google"
    assert entra.name == "Microsoft"
    assert entra.issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert entra.tenant == TENANT
    assert (entra.claim, entra.match) == ("preferred_username", "username")
    for tenant in ("", "common", "organizations", "district.onmicrosoft.com"):
        with pytest.raises(ConfigError, match="ENTRA_TENANT"):
            oidc.providers({**env, "SCHOOLGATE_OIDC_ENTRA_TENANT": tenant})


def test_a_generic_provider() -> None:
    env = {
        "SCHOOLGATE_OIDC": "keycloak",
        "SCHOOLGATE_OIDC_KEYCLOAK_ISSUER": "https://id.district.example/realms/staff/",
        "SCHOOLGATE_OIDC_KEYCLOAK_CLIENT_ID": "console",
        "SCHOOLGATE_OIDC_KEYCLOAK_CLIENT_SECRET": "x",
        "SCHOOLGATE_OIDC_KEYCLOAK_NAME": "District ID",
        "SCHOOLGATE_OIDC_KEYCLOAK_CLAIM": "employee_id",
        "SCHOOLGATE_OIDC_KEYCLOAK_MATCH": "sourced_id",
    }
    (p,) = oidc.providers(env)
    assert p.issuer == "https://id.district.example/realms/staff"
    assert (p.name, p.claim, p.match) == ("District ID", "employee_id", "sourced_id")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SCHOOLGATE_OIDC": "Bad Id"}, "SCHOOLGATE_OIDC: 'bad id'"),
        ({"SCHOOLGATE_OIDC": "idp,idp"}, "listed twice"),
        ({"SCHOOLGATE_OIDC_IDP_ISSUER": ""}, "IDP_ISSUER: required"),
        ({"SCHOOLGATE_OIDC_IDP_ISSUER": "http://id.example"}, "not an https:// issuer"),
        ({"SCHOOLGATE_OIDC_IDP_ISSUER": "https://id.example/?a=1"}, "no query"),
        ({"SCHOOLGATE_OIDC_IDP_CLIENT_ID": ""}, "CLIENT_ID: required"),
        ({"SCHOOLGATE_OIDC_IDP_CLIENT_SECRET": ""}, "CLIENT_SECRET: required"),
        ({"SCHOOLGATE_OIDC_IDP_MATCH": "phone"}, "IDP_MATCH"),
        ({"SCHOOLGATE_OIDC_IDP_CLAIM": "a b"}, "IDP_CLAIM"),
        ({"SCHOOLGATE_OIDC_IDP_PRESET": "okta"}, "IDP_PRESET"),
    ],
)
def test_bad_settings_name_the_variable(change: dict[str, str], message: str) -> None:
    env = {
        "SCHOOLGATE_OIDC": "idp",
        "SCHOOLGATE_OIDC_IDP_ISSUER": "https://id.example",
        "SCHOOLGATE_OIDC_IDP_CLIENT_ID": "c",
        "SCHOOLGATE_OIDC_IDP_CLIENT_SECRET": "s",
    }
    with pytest.raises(ConfigError, match=message):
        oidc.providers({**env, **change})


def test_plain_http_only_on_loopback() -> None:
    assert oidc.issuer_url("X", "http://127.0.0.1:4000") == "http://127.0.0.1:4000"
    assert oidc.issuer_url("X", "http://localhost:4000/") == "http://localhost:4000"
    with pytest.raises(ConfigError):
        oidc.issuer_url("X", "http://10.0.0.1:4000")
    with pytest.raises(ConfigError):
        oidc.issuer_url("X", "ftp://id.example")


def test_redirect_base() -> None:
    assert oidc.redirect_base({}) == ""
    env = {"SCHOOLGATE_OIDC_REDIRECT_BASE": "https://console.district.example/"}
    assert oidc.redirect_base(env) == "https://console.district.example"
    for bad in ("console.district.example", "http://console.district.example", "https://x/?q"):
        with pytest.raises(ConfigError, match="REDIRECT_BASE"):
            oidc.redirect_base({"SCHOOLGATE_OIDC_REDIRECT_BASE": bad})


def test_every_setting_is_documented() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).parents[2]
    source = (root / "schoolgate/control/accounts/oidc/config.py").read_text(encoding="utf-8")
    docs = (root / "docs/console.md").read_text(encoding="utf-8")
    per_provider = set(re.findall(r'(?<![.\w])get\("([A-Z_]+)"', source))
    assert per_provider >= {"ISSUER", "CLIENT_ID", "CLIENT_SECRET", "CLAIM", "MATCH", "TENANT"}
    for key in per_provider:
        assert f"`SCHOOLGATE_OIDC_<ID>_{key}`" in docs
    for name in ("SCHOOLGATE_OIDC", "SCHOOLGATE_OIDC_REDIRECT_BASE"):
        assert f"`{name}`" in docs
