"""The commands, run in-process against the test database: generate → import → sign →
suspend → verify → publish, and errors that exit non-zero with the place named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from schoolgate.control import cli
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.people.models import Person

from .conftest import LEASES, ONEROSTER, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def run() -> object:
    runner = CliRunner()

    def invoke(command: object, *args: str, code: int = 0) -> str:
        result = runner.invoke(command, list(args), catch_exceptions=False)  # type: ignore[arg-type]
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_generate_import_and_reimport(run: object, tmp_path: Path, data_dir: Path) -> None:
    out = run(cli.roster, "generate", str(tmp_path / "d"), "--students", "40", "--seed", "3")  # type: ignore[operator]
    assert "enrollments (OneRoster 1.2, seed 3)" in out
    out = run(cli.roster, "import", str(tmp_path / "d"))  # type: ignore[operator]
    assert "users             bulk" in out and "published" in out
    assert Person.objects.filter(role="student").count() == 40
    snapshot = json.loads((data_dir / "snapshot.json").read_text())
    assert len(snapshot["records"]["users"]) == Person.objects.count()
    again = run(cli.roster, "import", str(tmp_path / "d"))  # type: ignore[operator]
    assert "0 created        0 updated        0 deactivated" in again


def test_generation_is_seeded(tmp_path: Path, run: object) -> None:
    for name in ("a", "b"):
        run(cli.roster, "generate", str(tmp_path / name), "--students", "30", "--seed", "9")  # type: ignore[operator]
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_a_bad_roster_exits_with_the_place(run: object, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ONEROSTER / "good-1.2", tmp_path / "r")
    shutil.copy(ONEROSTER / "bad" / "bad-date" / "enrollments.csv", tmp_path / "r")
    out = run(cli.roster, "import", str(tmp_path / "r"), code=1)  # type: ignore[operator]
    assert "enrollments.csv:3: beginDate: '2026-13-01' is not a date" in out
    assert "nothing was imported" in out
    assert not Person.objects.exists()


@pytest.mark.usefixtures("district")
def test_sign_suspend_lift_verify_outstanding(run: object) -> None:
    teacher, student = person("teacher"), person("student")
    out = run(
        cli.agreements,
        "sign",
        teacher.username,
        "--name",  # type: ignore[operator]
        f"{teacher.given_name} {teacher.family_name}",
        "--ip",
        "10.0.0.9",
    )
    assert "signed: record 1" in out
    out = run(cli.agreements, "sign", teacher.username, "--name", "Nobody", code=1)  # type: ignore[operator]
    assert "does not match" in out
    out = run(cli.agreements, "outstanding")  # type: ignore[operator]
    assert "have not signed" in out
    out = run(
        cli.sanctions,
        "suspend",
        student.sourced_id,
        "--scope",
        "internet",
        "--days",
        "3",  # type: ignore[operator]
        "--reason",
        "Proxy use",
        "--by",
        "A. Principal",
    )
    sanction = Sanction.objects.get()
    assert f"sanction {sanction.pk}: internet suspension until" in out
    assert student.sourced_id in run(cli.sanctions, "list")  # type: ignore[operator]
    run(cli.sanctions, "lift", str(sanction.pk), "--by", "HR", "--reason", "Appeal")  # type: ignore[operator]
    out = run(cli.sanctions, "suspend", student.sourced_id, "--reason", "x", "--by", "y", code=1)  # type: ignore[operator]
    assert "give --days or --until, or --revoke" in out
    out = run(cli.agreements, "verify")  # type: ignore[operator]
    assert "acknowledgments: ok — 1 records" in out and "consents: ok — 0 records" in out
    run(cli.agreements, "remind")  # type: ignore[operator]


@pytest.mark.usefixtures("district")
def test_consents_and_leases(run: object) -> None:
    from .conftest import guardian_and_student

    guardian, student = guardian_and_student()
    name = f"{guardian.given_name} {guardian.family_name}"
    run(
        cli.consents,
        "grant",
        student.sourced_id,
        "publish-photo",
        "--guardian",  # type: ignore[operator]
        guardian.sourced_id,
        "--name",
        name,
        "--expires",
        "2099-01-01",
    )
    out = run(cli.consents, "list", student.sourced_id)  # type: ignore[operator]
    assert "publish-photo" in out and "in force until 2099-01-01" in out
    out = run(
        cli.consents,
        "revoke",
        student.sourced_id,
        "publish-photo",
        "--guardian",  # type: ignore[operator]
        person("teacher").sourced_id,
        "--name",
        "X",
        code=1,
    )
    assert "given by a parent or guardian" in out
    out = run(cli.leases, "import", str(LEASES / "leases4.csv"))  # type: ignore[operator]
    assert "leases4.csv (kea): 3 leases" in out
    out = run(cli.leases, "import", str(LEASES / "bad" / "bad-time.leases"), code=1)  # type: ignore[operator]
    assert "bad-time.leases:3:" in out and "nothing was changed" in out


@pytest.mark.usefixtures("district")
def test_snapshot_publish(run: object, data_dir: Path) -> None:
    out = run(cli.snapshot, "publish")  # type: ignore[operator]
    assert "(written;" in out
    assert "(unchanged;" in run(cli.snapshot, "publish")  # type: ignore[operator]
    out = run(cli.snapshot, "publish", "-o", str(data_dir / "elsewhere.json"))  # type: ignore[operator]
    assert (data_dir / "elsewhere.json").exists()
