"""Accessibility of the console's pages, checked by a real tool in a real browser (issue #6).

axe-core (pinned in scripts/a11y/, installed by `npm ci` from its lock file when node_modules is
missing; skipped, loudly, only without Node.js) is injected into every page an administrator, a
teacher, a guardian and a student can open, and the login page signed out, in Debian's Chromium
driven by Playwright (as in test_console_browser.py). Any WCAG 2 A or AA violation of impact
"serious" or "critical" fails, with its rule, page and the offending elements. A keyboard walk
checks that Tab goes through the navigation and a form in order, each with a visible outline."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from .console_fixtures import MD5
from .test_console_browser import CHROMIUM, FLAGS
from .test_console_browser_flows import sign_in

pytestmark = pytest.mark.integration

AXE_DIR = Path(__file__).resolve().parents[2] / "scripts" / "a11y"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = ("serious", "critical")
ROLES = ("administrator", "teacher", "guardian", "student")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from the project's pinned package; installed with `npm ci` when missing."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip(
            "NODE.JS IS NOT INSTALLED: the accessibility test needs `node` and `npm` on PATH to "
            "install axe-core from scripts/a11y (Debian: apt-get install nodejs npm)"
        )
    if not AXE_JS.is_file():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=AXE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0 or not AXE_JS.is_file():
            pytest.fail(f"`npm ci` in {AXE_DIR} failed:\n{done.stdout}\n{done.stderr}")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def browser(monkeypatch: Any) -> Iterator[Any]:
    from django.db import connections
    from playwright import sync_api

    # The ORM is used only before the browser's pages are read; Playwright's loop is idle then.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()
            connections.close_all()


@pytest.fixture
def district(transactional_db: None, settings: Any) -> dict[str, Any]:
    """The demo district with something on every page: two weeks of filter activity and review
    requests, a sanction, an incident, a site exception and a finished roster import."""
    from django.contrib.auth.models import User

    from schoolgate.control.conduct.services import open_incident, suspend
    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district
    from schoolgate.control.console.demo_history import seed_history
    from schoolgate.control.imports.models import ImportJob
    from schoolgate.control.people.models import Person, SchoolClass
    from schoolgate.control.reviews.models import ReviewRequest
    from schoolgate.control.reviews.services import approve

    settings.PASSWORD_HASHERS = MD5
    load_district(students=30, seed=4)
    accounts = {s.role: s for s in create_sign_ins()}
    people = demo_people()
    seed_history(Path(settings.DATA_DIR), Path(settings.SCHOOLGATE_SNAPSHOT), seed=4)
    admin, pupil = people["administrator"], people["student"]
    reviews = ReviewRequest.objects.filter(requester__isnull=False).order_by("pk")
    assert reviews.count() >= 2, "the demo activity has the teacher's pupils' review requests"
    approved, still_open = reviews[0], reviews[1]
    approve(
        approved,
        by=admin,
        roles=frozenset({"administrator"}),
        scope="person",
        until=timezone.localdate() + dt.timedelta(days=7),
        reason="the class project",
    )
    other = Person.objects.filter(role="student", active=True).exclude(pk=pupil.pk).first()
    assert other is not None
    week = timezone.now() + dt.timedelta(days=7)
    for someone in (other, pupil):  # a row on every role's sanctions page
        suspend(
            someone, scope="internet", reason="shared a password", decided_by=admin, ends_at=week
        )
    incident = open_incident("left the room with a laptop", subject=other, opened_by=admin)
    job = ImportJob.objects.create(
        created_at=timezone.now(),
        started_by=User.objects.get(username=accounts["administrator"].username),
        source_name="district-export.zip",
        size=4096,
        status="done",
        version="1.2",
        files=7,
        rows=120,
        counts={"users": {"created": 3, "updated": 1, "deactivated": 0, "unchanged": 90}},
        finished_at=timezone.now(),
    )
    taught = still_open.requester
    assert taught is not None
    # a class of the teacher's with that pupil in it: its page has rows in every table
    school_class = (
        SchoolClass.objects.filter(
            enrollments__person=people["teacher"], enrollments__role="teacher"
        )
        .filter(pk__in=taught.enrollments.filter(role="student").values("school_class"))
        .order_by("pk")
        .first()
    )
    assert school_class is not None
    pages = {
        "administrator": [
            "/",
            "/people/",
            f"/people/{other.sourced_id}/",
            "/classes/",
            f"/classes/{school_class.pk}/",
            "/sign/",
            "/sanctions/",
            "/incidents/?status=all",
            f"/incidents/{incident.pk}/",
            f"/incidents/new/?person={other.sourced_id}",
            "/events/",
            "/reviews/?status=approved",
            f"/reviews/{still_open.pk}/",
            "/exceptions/",
            "/roster/import/",
            f"/roster/import/{job.pk}/",
            "/access-log/",
        ],
        "teacher": [
            "/",
            "/people/",
            f"/people/{taught.sourced_id}/",
            "/classes/",
            f"/classes/{school_class.pk}/",
            "/sign/",
            "/sanctions/",
            "/events/",
            "/reviews/",
            f"/reviews/{still_open.pk}/",
            "/exceptions/",
        ],
        "guardian": [
            "/",
            "/people/",
            f"/people/{pupil.sourced_id}/",
            "/sign/",
            f"/sign/{pupil.sourced_id}/",
            "/consents/",
            f"/consents/{pupil.sourced_id}/",
            "/sanctions/",
            "/events/",
            "/reviews/",
        ],
        "student": [
            "/",
            "/people/",
            f"/people/{pupil.sourced_id}/",
            "/sign/",
            "/sanctions/",
            "/events/",
            "/reviews/",
        ],
    }
    form_page = f"/incidents/new/?person={other.sourced_id}"
    return {"accounts": accounts, "pages": pages, "form_page": form_page}


def axe_violations(page: Any, source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the loaded page, for WCAG 2.0–2.2 A and AA rules."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']})",
        TAGS,
    )
    return list(result["violations"])


def report(found: list[tuple[str, dict[str, Any]]]) -> str:
    lines = []
    for where, v in found:
        lines.append(f"{v['id']} ({v['impact']}) on {where}: {v['help']}")
        for node in v["nodes"][:5]:
            why = " ".join(line.strip() for line in node["failureSummary"].splitlines()[:3])
            lines.append(f"    {' '.join(node['target'])}: {why}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def check(page: Any, url: str, where: str, source: str) -> list[tuple[str, dict[str, Any]]]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (where, response and response.status)
    return [(where, v) for v in axe_violations(page, source) if v["impact"] in FAILING]


def test_every_console_page_passes_axe(
    district: dict[str, Any], live_server: Any, browser: Any, axe_source: str
) -> None:
    found: list[tuple[str, dict[str, Any]]] = []
    visited = 0
    page = browser.new_page()
    found += check(page, f"{live_server.url}/login/", "/login/ (signed out)", axe_source)
    page.close()
    for role in ROLES:
        account = district["accounts"][role]
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, live_server.url, account.username, account.password)
        assert page.get_by_role("button", name="Sign out").count() == 1, role
        for path in district["pages"][role]:
            found += check(page, f"{live_server.url}{path}", f"{path} as {role}", axe_source)
            if path == "/" and role != "student":  # checked with the chart, not without it
                assert page.locator("svg[role=img]").count() == 1, role
            visited += 1
        context.close()
    assert visited >= 40
    assert not found, "axe-core found serious or critical violations:\n" + report(found)


# ----------------------------------------------------------------- keyboard


def focused(page: Any) -> dict[str, str]:
    """The focused element: its text or label, tag, and computed outline."""
    info: dict[str, str] = page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
            return {tag: e.tagName.toLowerCase(), name: (label || e.innerText || e.value || '')
                    .trim(), outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
                    outlineColor: s.outlineColor};
        }"""
    )
    return info


def tab_through(page: Any, count: int) -> list[dict[str, str]]:
    seen = []
    for _ in range(count):
        page.keyboard.press("Tab")
        seen.append(focused(page))
    return seen


def visible_outline(info: dict[str, str]) -> bool:
    width = float(info["outlineWidth"].removesuffix("px") or 0)
    return info["outlineStyle"] not in ("none", "hidden") and width >= 2


def test_tab_moves_through_the_nav_and_a_form_in_order_with_a_visible_outline(
    district: dict[str, Any], live_server: Any, browser: Any
) -> None:
    account = district["accounts"]["administrator"]
    page = browser.new_page()
    sign_in(page, live_server.url, account.username, account.password)
    page.goto(f"{live_server.url}/")
    nav = page.locator("nav[aria-label=Main] a").all_inner_texts()
    schools = page.locator("section[aria-labelledby=by-school-heading] a").all_inner_texts()
    assert schools  # the demo's schools have signatures outstanding
    # The skip link, the navigation, sign-out, then into the page: the outstanding count of
    # each school, its three links and the disclosure that holds the chart's table.
    steps = tab_through(page, len(nav) + len(schools) + 6)
    names = [s["name"] for s in steps]
    assert names == [
        "Skip to main content",
        *nav,
        "Sign out",
        *schools,
        "Everyone who has not signed",
        "People and their status",
        "Active sanctions",
        "The chart as a table",
    ]
    for step in steps:
        assert visible_outline(step), step
    # The outline is focus's: the same element, left, has none.
    unfocused = page.evaluate(
        "() => { const e = document.activeElement; e.blur(); return getComputedStyle(e)"
        ".outlineStyle; }"
    )
    assert unfocused == "none"

    page.goto(f"{live_server.url}{district['form_page']}")  # a textarea, a select, a button
    labels = [label.strip() for label in page.locator("main form label").all_inner_texts()]
    page.locator("#main").focus()  # as the skip link leaves it
    form = tab_through(page, len(labels) + 1)
    names = [s["name"].removesuffix(":") for s in form[: len(labels)]]
    assert names == [label.removesuffix(":") for label in labels] == ["What happened", "Severity"]
    assert (form[-1]["tag"], form[-1]["name"]) == ("button", "Open the incident")
    for step in form:
        assert visible_outline(step), step
