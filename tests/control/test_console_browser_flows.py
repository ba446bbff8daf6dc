"""The console's flows in a real browser (Debian's Chromium through Playwright, as in
test_console_browser.py): an administrator imports a roster and watches it, a staff member signs
the agreement, and a principal's suspension reaches the real DNS resolver, which blocks the
student's next query and says why.

Screenshots of the key pages go to $SCHOOLGATE_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import dns.edns
import dns.message
import dns.query
import dns.rdatatype
import pytest
from playwright import sync_api

from schoolgate.control.agreements.models import Acknowledgment
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.imports import services as imports
from schoolgate.control.imports.models import ImportJob
from schoolgate.control.people.models import Person

from .console_fixtures import MD5, oracle
from .test_console_browser import CHROMIUM, FLAGS

pytestmark = pytest.mark.integration

STUDENT_ADDRESS = "127.0.0.1"  # the browser's and dnspython's address: the student's laptop
BLOCKED_NAME = "www.example.org"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCHOOLGATE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def playwright(monkeypatch: Any) -> Iterator[Any]:
    """Playwright's sync API with its event loop registered as running in this thread.

    While it runs, Django keeps this thread's database connections per async context
    (asgiref's `Local` looks for a running loop), so the ORM calls a test makes between browser
    steps open a second connection that pytest-django's teardown never sees. Closed here, inside
    that context; left open, PostgreSQL refused to drop the test database at the end."""
    from django.db import connections

    # The ORM is used between browser steps; Playwright's loop is idle then.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        try:
            yield p
        finally:
            connections.close_all()


@pytest.fixture
def browser(playwright: Any) -> Iterator[Any]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield launched
    launched.close()


@pytest.fixture
def district(transactional_db: None, settings: Any) -> dict[str, Any]:
    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district

    settings.PASSWORD_HASHERS = MD5
    load_district(students=30, seed=4)
    return {"sign_in": {s.role: s for s in create_sign_ins()}, "people": demo_people()}


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# ----------------------------------------------------------------- (a) roster import


def test_an_administrator_imports_a_roster_and_watches_it(
    transactional_db: None, settings: Any, live_server: Any, browser: Any, shots: Path
) -> None:
    from schoolgate.control.accounts.services import create_account
    from schoolgate.control.people.oneroster.generate import write
    from schoolgate.control.people.services import add_person, assign_role

    settings.PASSWORD_HASHERS = MD5
    admin = add_person("Ada", "Lovelace", "administrator", username="ada.admin")
    assign_role(admin, "administrator")  # local: the import leaves her alone
    password = secrets.token_urlsafe(12)
    create_account(admin, password)
    roster = Path(settings.DATA_DIR) / "export"
    write(roster, 40, 3, "1.2")
    archive = Path(settings.DATA_DIR) / "district-export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(roster.iterdir()):
            out.write(path, path.name)

    page = browser.new_page()
    sign_in(page, live_server.url, "ada.admin", password)
    page.get_by_role("link", name="Roster import").click()
    page.get_by_label("OneRoster export (.zip)").set_input_files(str(archive))
    page.screenshot(path=shots / "roster-import-upload.png", full_page=True)
    # Hold the one-import-at-a-time lock, so the job is seen waiting, whatever the machine's pace.
    with imports.RUNNING:
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_load_state()
        status = page.get_by_role("status").inner_text()
        refresh = page.locator('meta[http-equiv="refresh"]').count()
        page.screenshot(path=shots / "roster-import-progress.png", full_page=True)
    assert "In progress" in status and "Stage" in status and refresh == 1
    page.get_by_text("Imported: OneRoster 1.2").wait_for(timeout=120_000)  # by the page's refresh
    summary = page.locator("table").inner_text()
    page.screenshot(path=shots / "roster-import-summary.png", full_page=True)
    job = ImportJob.objects.get()
    assert job.status == "done"
    created = job.counts["users"]["created"]
    assert created == Person.objects.filter(source="roster").count() > 40
    assert "users" in summary and str(created) in summary


# ----------------------------------------------------------------- (b) staff signing


def test_a_staff_member_signs_the_agreement(
    district: dict[str, Any], live_server: Any, browser: Any, shots: Path
) -> None:
    teacher = district["people"]["teacher"]
    account = district["sign_in"]["teacher"]
    page = browser.new_page()
    sign_in(page, live_server.url, account.username, account.password)
    page.get_by_role("link", name="Sign the agreement").click()
    page.get_by_label("Type your full name to sign").fill(teacher.display_name)
    page.screenshot(path=shots / "staff-signing.png", full_page=True)
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_load_state()
    page.screenshot(path=shots / "staff-signed.png", full_page=True)
    saved = Acknowledgment.objects.get(on_behalf_of=teacher)
    assert saved.signer_id == teacher.pk
    assert page.get_by_label("Type your full name to sign").count() == 0


# ----------------------------------------------------------------- (c) suspension → DNS


class RunningResolver:
    """The real resolver (schoolgate.enforce.dns) on its own event loop thread, following the
    snapshot the console publishes, with the block page beside it."""

    def __init__(self, snapshot: Path, work: Path) -> None:
        from schoolgate.classify.domains.build import build_index
        from schoolgate.enforce.dns.service import Resolver, ResolverOptions
        from schoolgate.lists.model import Entry

        # A category index, so names are known to be in no category (without one, rules fail
        # closed for students and every name would be blocked before the suspension too).
        lists = work / "lists.idx"
        build_index([Entry("games.example", "games")], lists)
        dead_upstream = ("127.0.0.1", _free_port())  # allowed names just fail: no network here
        options = ResolverOptions(
            lists=lists,
            listen=("127.0.0.1", 0),
            upstreams=[dead_upstream],
            snapshot=snapshot,
            blockpage=("127.0.0.1", 0),
            spool=work / "spool",
            poll_interval=0.2,
            upstream_timeout=0.3,
            work_dir=work,
        )
        self.messages: list[str] = []
        self.resolver = Resolver(options, log=self.messages.append)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = self._call(self.resolver.start())[1]
        assert self.resolver.blockpage_address is not None
        self.blockpage_port = self.resolver.blockpage_address[1]

    def _call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=30)

    def ask(self, name: str) -> dns.message.Message:
        query = dns.message.make_query(name, "A", use_edns=0)
        return dns.query.udp(query, "127.0.0.1", port=self.port, source=STUDENT_ADDRESS, timeout=5)

    def stop(self) -> None:
        self._call(self.resolver.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def extended_error(answer: dns.message.Message) -> str | None:
    for option in answer.options:
        if isinstance(option, dns.edns.EDEOption):
            return option.text or ""
    return None


def blocked(answer: dns.message.Message) -> bool:
    return extended_error(answer) is not None


def test_a_suspension_blocks_the_student_s_next_dns_query(
    district: dict[str, Any],
    live_server: Any,
    playwright: Any,
    browser: Any,
    shots: Path,
    settings: Any,
) -> None:
    from schoolgate.control.agreements.services import sign
    from schoolgate.control.console.publish import republish
    from schoolgate.control.networks.services import assign_address

    principal = district["people"]["principal"]
    student = next(
        p
        for p in Person.objects.filter(role="student", active=True).order_by("sourced_id")
        if oracle("principal", principal, p)
    )
    # A student in good standing: the agreement signed (else the pack holds every name until it
    # is), and behind the address the queries come from (the live address map the snapshot has).
    sign(student, typed_name=student.display_name, ip_address=STUDENT_ADDRESS)
    assign_address(STUDENT_ADDRESS, student)
    republish()
    snapshot = Path(settings.SCHOOLGATE_SNAPSHOT)
    assert snapshot.exists()
    work = Path(settings.DATA_DIR) / "dns"
    work.mkdir()
    resolver = RunningResolver(snapshot, work)
    try:
        before = resolver.ask(BLOCKED_NAME)
        assert not blocked(before), extended_error(before)

        account = district["sign_in"]["principal"]
        page = browser.new_page()
        sign_in(page, live_server.url, account.username, account.password)
        page.goto(f"{live_server.url}/people/{student.sourced_id}/")
        form = page.locator("form", has=page.get_by_role("button", name="Suspend"))
        form.get_by_label("Access to suspend").select_option("network")
        form.get_by_label("For how many days").fill("3")
        reason = "Three-day suspension: shared a password"
        form.get_by_label("Reason (shown to the student on the block page)").fill(reason)
        page.screenshot(path=shots / "suspend-form.png", full_page=True)
        form.get_by_role("button", name="Suspend").click()
        page.wait_for_load_state()
        status = page.get_by_role("status").inner_text()
        page.screenshot(path=shots / "suspended.png", full_page=True)
        assert "Suspended" in status
        assert Sanction.objects.get(person=student).reason == reason

        answer = _until_blocked(resolver)  # the resolver notices the new snapshot by itself
        text = extended_error(answer) or ""
        assert "sanction" in text and "suspended until" in text and reason in text, text
        assert [r.to_text() for rrset in answer.answer for r in rrset] == ["127.0.0.1"]

        # The block page, as the student's browser reaches it: the blocked name resolves to it.
        rule = f"--host-resolver-rules=MAP {BLOCKED_NAME} 127.0.0.1:{resolver.blockpage_port}"
        student_browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*FLAGS, rule])
        try:
            blockpage = student_browser.new_page()
            blockpage.goto(f"http://{BLOCKED_NAME}/")
            shown = blockpage.inner_text("body")
            blockpage.screenshot(path=shots / "block-page.png", full_page=True)
        finally:
            student_browser.close()
        assert BLOCKED_NAME in shown and reason in shown, shown
    finally:
        resolver.stop()


def _until_blocked(resolver: RunningResolver) -> dns.message.Message:
    """Ask until the block shows (the resolver polls the snapshot file); fail after a minute."""
    deadline = time.monotonic() + 60
    while True:
        answer = resolver.ask(BLOCKED_NAME)
        if blocked(answer):
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"never blocked; resolver said: {resolver.messages}")
        time.sleep(0.1)
