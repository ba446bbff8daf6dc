"""Control-plane fixtures: a private data directory per test, the roster fixtures, people."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ONEROSTER = FIXTURES / "oneroster"
LEASES = FIXTURES / "leases"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """Snapshots, chain anchors and the outbox go to a temporary directory, never ./var."""
    data = tmp_path / "data"
    data.mkdir()
    settings.DATA_DIR = data
    settings.SCHOOLGATE_SNAPSHOT = str(data / "snapshot.json")
    settings.SCHOOLGATE_PACK = "ces"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return data


@pytest.fixture
def roster_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of a good roster with files replaced by `overlay` (a folder of bad files)."""

    def make(version: str = "1.2", overlay: Path | None = None) -> Path:
        target = tmp_path / f"roster-{version}-{overlay.name if overlay else 'good'}"
        shutil.copytree(ONEROSTER / f"good-{version}", target)
        for path in overlay.iterdir() if overlay else ():
            shutil.copy(path, target / path.name)
        return target

    return make


@pytest.fixture
def district(db: None) -> None:
    """The good OneRoster 1.2 fixture, imported."""
    from schoolgate.control.people.roster import import_roster

    import_roster(ONEROSTER / "good-1.2")


def person(role: str, n: int = 0) -> Any:
    from schoolgate.control.people.models import Person

    return Person.objects.filter(role=role, active=True).order_by("sourced_id")[n]


def guardian_and_student() -> tuple[Any, Any]:
    from schoolgate.control.people.models import GuardianLink

    link = GuardianLink.objects.select_related("guardian", "student").order_by("pk").first()
    assert link is not None
    return link.guardian, link.student


# The console's demo district, committed once per module (tests/control/console_fixtures.py).
from .console_fixtures import demo_district  # noqa: E402, F401
