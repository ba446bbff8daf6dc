"""The roster import page: upload, the job in its own thread, the summary or the file:line
problems, all or nothing like `schoolgate roster import`. These tests commit (the import runs on
its own connection), so they start from an empty database with one local administrator."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from schoolgate.control.imports.models import ImportJob
from schoolgate.control.people.models import Person

from .conftest import ONEROSTER

pytestmark = pytest.mark.django_db(transaction=True)


def zipped(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return target


def local_staff(role: str, username: str) -> Any:
    """A person no roster knows (source local), so a bulk import leaves them alone."""
    from django.contrib.auth.models import User

    from schoolgate.control.accounts.models import Account
    from schoolgate.control.people.services import add_person, assign_role

    person = add_person("Ada", "Lovelace", role, username=username)
    assign_role(person, role)
    user = User.objects.create_user(username)
    Account.objects.create(user=user, person=person)
    return user


def wait_for_imports() -> None:
    """Join the import threads the page started (no clock involved)."""
    for thread in threading.enumerate():
        if thread.name.startswith("roster-import-"):
            thread.join()


def upload(client: Client, path: Path) -> Any:
    with path.open("rb") as handle:
        return client.post("/roster/import/", {"roster": handle})


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(local_staff("administrator", "ada.admin"))
    return client


def test_an_administrator_imports_a_roster(admin: Client, tmp_path: Path) -> None:
    response = upload(admin, zipped(ONEROSTER / "good-1.2", tmp_path / "district.zip"))
    assert response.status_code == 302
    # Read nothing while the import thread writes: the SQLite test database is in memory with
    # a shared cache, where a read beside another connection's write transaction fails at once
    # ("database table is locked") instead of waiting, and the import then failed now and then.
    wait_for_imports()
    job = ImportJob.objects.get()
    assert response["Location"] == f"/roster/import/{job.pk}/"
    assert job.status == "done" and job.version == "1.2" and job.rows > 0
    assert job.counts["users"]["created"] == Person.objects.filter(source="roster").count()
    page = admin.get(f"/roster/import/{job.pk}/").content.decode()
    assert "Imported" in page and 'http-equiv="refresh"' not in page
    assert not list((tmp_path.parent).glob("**/imports/*.zip"))  # the upload is not kept
    assert "district.zip" in admin.get("/roster/import/").content.decode()


def test_a_bad_roster_changes_nothing_and_names_file_and_line(
    admin: Client, roster_copy: Any, tmp_path: Path
) -> None:
    bad = roster_copy("1.2", ONEROSTER / "bad" / "bad-date")
    before = Person.objects.count()
    upload(admin, zipped(bad, tmp_path / "bad.zip"))
    wait_for_imports()
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.problem_count >= 1
    assert all(":" in p for p in job.problems)
    page = admin.get(f"/roster/import/{job.pk}/").content.decode()
    assert "nothing was changed" in page and job.problems[0].split(":")[0] in page
    assert Person.objects.count() == before


def test_not_a_zip_and_too_large_are_refused(admin: Client, settings: Any) -> None:
    text = SimpleUploadedFile("roster.csv", b"sourcedId\n1\n")
    assert admin.post("/roster/import/", {"roster": text}).status_code == 400
    settings.ROSTER_UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("roster.zip", b"PK" + b"x" * 100)
    assert admin.post("/roster/import/", {"roster": big}).status_code == 413
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "principal", "hr"])
def test_only_administrators_and_technology_managers_import(role: str) -> None:
    client = Client()
    client.force_login(local_staff(role, f"demo.{role}"))
    assert client.get("/roster/import/").status_code == 403
    assert client.post("/roster/import/", {}).status_code == 403
