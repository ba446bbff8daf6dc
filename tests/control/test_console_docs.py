"""docs/console.md documents every page, purpose, role action and setting the console has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schoolgate.control.access.scope import ACTIONS, PURPOSES
from schoolgate.control.console.urls import urlpatterns

DOCS = Path(__file__).parents[2] / "docs"
CONSOLE = (DOCS / "console.md").read_text(encoding="utf-8")
SETTINGS = (Path(__file__).parents[2] / "schoolgate/control/settings.py").read_text()
CONFIG = (Path(__file__).parents[2] / "schoolgate/control/config.py").read_text()


def _doc_path(route: str) -> str:
    return "/" + re.sub(r"<(str|int):[a-z_]+>", "<id>", route)


@pytest.mark.parametrize("route", [str(p.pattern) for p in urlpatterns])
def test_every_page_is_documented(route: str) -> None:
    assert f"`{_doc_path(route)}`" in CONSOLE


@pytest.mark.parametrize("name", [*PURPOSES, *ACTIONS])
def test_every_purpose_and_action_is_documented(name: str) -> None:
    assert f"`{name}`" in CONSOLE


@pytest.mark.parametrize(
    "name",
    ["SCHOOLGATE_SECURE_COOKIES", "SCHOOLGATE_SESSION_HOURS", "SCHOOLGATE_BYPASS_INCIDENT_AFTER"],
)
def test_every_console_setting_is_documented(name: str) -> None:
    assert name in SETTINGS + CONFIG  # the setting exists …
    assert f"`{name}`" in CONSOLE  # … and is in the table


def test_the_threat_model_names_every_role() -> None:
    threat = (DOCS / "threat-model.md").read_text(encoding="utf-8")
    for role in ("student", "guardian", "teacher", "principal", "HR", "technology manager",
                 "administrator", "anonymous"):  # fmt: skip
        assert role in threat
