"""A real browser through the console: a guardian signs in and grants photo consent.

Playwright drives Debian's Chromium (`/usr/bin/chromium`, from scripts/system-packages.txt;
never `playwright install`) against pytest-django's live server on loopback."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from playwright import sync_api

from schoolgate.control.consents.models import ConsentRecord

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.integration


@pytest.fixture
def district(transactional_db: None, settings: Any) -> dict[str, Any]:
    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    load_district(students=30, seed=4)
    sign_ins = {s.role: s for s in create_sign_ins()}
    return {"sign_in": sign_ins["guardian"], "people": demo_people()}


def test_a_guardian_grants_photo_consent(
    district: dict[str, Any], live_server: Any, monkeypatch: Any
) -> None:
    # The ORM is used only before and after the browser runs; Playwright's loop is idle then.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sign_in, child = district["sign_in"], district["people"]["student"]
    guardian = district["people"]["guardian"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{live_server.url}/")
        page.get_by_label("Username").fill(sign_in.username)
        page.get_by_label("Password").fill(sign_in.password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Consents").click()
        page.get_by_role("link", name=child.display_name).click()
        form = page.locator("form", has=page.locator("#grant-publish-photo"))
        form.get_by_label("I give permission").check()
        form.get_by_label("Type your full name to sign").fill(guardian.display_name)
        form.get_by_role("button", name="Record my decision").click()
        page.wait_for_load_state()
        legend = page.locator("form", has=page.locator("#grant-publish-photo")).locator("legend")
        text = legend.inner_text()
        browser.close()
    assert "now: given" in text
    saved = ConsentRecord.objects.get(on_behalf_of=child, consent="publish-photo")
    assert saved.action == "grant" and saved.signer_id == guardian.pk
