"""Roster import: both versions, idempotence, deltas, leavers, zips, and bad files that change
nothing already stored."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from schoolgate.control.people.models import (
    Enrollment,
    GuardianLink,
    Org,
    Person,
    PersonRole,
    RosterImport,
    SchoolClass,
)
from schoolgate.control.people.oneroster.problems import RosterError
from schoolgate.control.people.roster import import_roster
from schoolgate.control.people.services import students_of
from schoolgate.control.publication.services import pending

from .conftest import ONEROSTER

pytestmark = pytest.mark.django_db


def _snapshot_of_db() -> dict[str, object]:
    """Everything an import may touch, to show a failed import touched nothing."""
    return {
        "people": sorted(Person.objects.values_list("sourced_id", "active", "row_hash", "role")),
        "enrollments": Enrollment.objects.filter(active=True).count(),
        "roles": PersonRole.objects.count(),
        "links": GuardianLink.objects.filter(active=True).count(),
        "imports": RosterImport.objects.count(),
    }


@pytest.mark.parametrize("version", ["1.2", "1.1"])
def test_imports_a_district(version: str) -> None:
    result = import_roster(ONEROSTER / f"good-{version}")
    assert result.version == version
    assert Person.objects.count() == 55
    assert Org.objects.filter(type="school").count() == 3
    assert SchoolClass.objects.count() == 33
    assert Enrollment.objects.count() == 85
    student = Person.objects.filter(role="student").first()
    assert student is not None and student.grade in {"K", *map(str, range(1, 13))}
    # Guardians come from agentSourcedIds and join guardian → student.
    assert GuardianLink.objects.filter(student__role="student", guardian__role="guardian").count()
    teacher = Person.objects.filter(role="teacher", enrollments__role="teacher").first()
    assert teacher is not None and students_of(teacher).exists()
    assert not students_of(student).exists()
    assert pending()[0] >= 1  # a snapshot is due


def test_versions_agree_on_people_and_roles() -> None:
    import_roster(ONEROSTER / "good-1.2")
    v12 = dict(Person.objects.values_list("sourced_id", "role"))
    Person.objects.all().update(active=False)
    import_roster(ONEROSTER / "good-1.1")
    v11 = dict(Person.objects.values_list("sourced_id", "role"))
    # 1.1 has no principal or counselor role: the generator writes administrator and teacher.
    differs = {sid for sid in v12 if v12[sid] != v11[sid]}
    assert {v12[s] for s in differs} <= {"principal", "counselor", "technology-manager"}
    assert all(v11[s] in {"administrator", "teacher"} for s in differs)


def test_reimport_changes_nothing() -> None:
    import_roster(ONEROSTER / "good-1.2")
    before = _snapshot_of_db()
    again = import_roster(ONEROSTER / "good-1.2")
    assert all(c.created == c.updated == c.deactivated == 0 for c in again.counts.values())
    after = _snapshot_of_db()
    assert {k: v for k, v in after.items() if k != "imports"} == {
        k: v for k, v in before.items() if k != "imports"
    }


def test_leaver_in_a_bulk_file_is_deactivated_not_deleted(roster_copy: Callable[..., Path]) -> None:
    import_roster(ONEROSTER / "good-1.2")
    leaver = Person.objects.filter(role="student").order_by("sourced_id").first()
    assert leaver is not None
    roster = roster_copy()
    for name in ("users.csv", "roles.csv", "enrollments.csv"):
        path = roster / name
        lines = path.read_text().splitlines(keepends=True)
        if name == "users.csv":
            kept = [line for line in lines if not line.startswith(f"{leaver.sourced_id},")]
        else:
            kept = [line for line in lines if f",{leaver.sourced_id}," not in line]
        path.write_text("".join(kept))
    # Their guardians' agent lists still name them; drop that reference too.
    users = roster / "users.csv"
    users.write_text(users.read_text().replace(leaver.sourced_id, ""))
    result = import_roster(roster)
    assert result.counts["users"].deactivated == 1
    leaver.refresh_from_db()
    assert not leaver.active
    assert not Enrollment.objects.filter(person=leaver, active=True).exists()
    assert Enrollment.objects.filter(person=leaver).exists()  # history kept


def test_delta_updates_and_deletes_only_what_it_names(tmp_path: Path) -> None:
    import_roster(ONEROSTER / "good-1.2")
    student = Person.objects.filter(role="student").order_by("sourced_id").first()
    assert student is not None
    delta = tmp_path / "delta"
    delta.mkdir()
    (delta / "manifest.csv").write_text(
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,delta\n"
        "file.enrollments,delta\n"
    )
    header = (ONEROSTER / "good-1.2" / "users.csv").read_text().splitlines()[0]
    row = next(
        line
        for line in (ONEROSTER / "good-1.2" / "users.csv").read_text().splitlines()
        if line.startswith(student.sourced_id)
    )
    renamed = row.replace(f",{student.family_name},", ",Renamed,").replace(
        ",,2026", ",active,2026", 1
    )
    (delta / "users.csv").write_text(f"{header}\n{renamed}\n")
    enrollment = Enrollment.objects.filter(person=student).first()
    assert enrollment is not None
    eheader = (ONEROSTER / "good-1.2" / "enrollments.csv").read_text().splitlines()[0]
    (delta / "enrollments.csv").write_text(
        f"{eheader}\n{enrollment.sourced_id},tobedeleted,2026-09-01T00:00:00Z,,,,,,,\n"
    )
    people = Person.objects.filter(active=True).count()
    result = import_roster(delta)
    assert result.counts["users"].updated == 1
    assert result.counts["enrollments"].deactivated == 1
    student.refresh_from_db()
    assert student.family_name == "Renamed"
    assert Person.objects.filter(active=True).count() == people  # nobody else left


def test_zip_with_a_folder_inside(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in (ONEROSTER / "good-1.2").iterdir():
            z.write(path, f"oneroster/{path.name}")
    import_roster(archive)
    assert Person.objects.count() == 55


def test_a_byte_order_mark_is_accepted(roster_copy: Callable[..., Path]) -> None:
    import_roster(roster_copy(overlay=ONEROSTER / "variants" / "bom"))
    assert Person.objects.count() == 55


BAD = {
    "wrong-header": "users.csv:1: header does not match: column 7 is 'familyName' where 'givenName' belongs",
    "bad-date": "enrollments.csv:3: beginDate: '2026-13-01' is not a date (YYYY-MM-DD)",
    "bad-datetime": "users.csv:4: dateLastModified: 'yesterday' is not a date-time",
    "unknown-reference": "enrollments.csv:5: classSourcedId: refers to 'crs-does-not-exist', which is not in classes.csv",
    "duplicate-id": "users.csv:7: sourcedId: 'usr-000005' is also on line 6",
    "broken-encoding": "users.csv:8: is not UTF-8: bytes e9",
    "utf-16": "users.csv: is UTF-16; export the roster as UTF-8",
    "field-count": "users.csv:9: has 22 fields; the header has 23",
    "unknown-role": "roles.csv:7: role: 'wizard' is not one of",
    "bad-grade": "users.csv:7: grades: 'seventh' is not a CEDS grade level",
    "unterminated-quote": "users.csv:10: CSV syntax",
    "manifest-version": "manifest.csv:3: oneroster.version is 1.0; schoolgate reads 1.1 and 1.2",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_roster_is_refused_and_changes_nothing(
    case: str, roster_copy: Callable[..., Path]
) -> None:
    import_roster(ONEROSTER / "good-1.2")
    before = _snapshot_of_db()
    with pytest.raises(RosterError) as caught:
        import_roster(roster_copy(overlay=ONEROSTER / "bad" / case))
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(BAD[case]) for m in messages), messages
    assert _snapshot_of_db() == before


def test_missing_file_named_by_the_manifest(roster_copy: Callable[..., Path]) -> None:
    roster = roster_copy()
    (roster / "roles.csv").unlink()
    with pytest.raises(RosterError, match=r"manifest.csv:\d+: file.roles is bulk but roles.csv"):
        import_roster(roster)
    assert Person.objects.count() == 0


def test_a_file_not_in_the_manifest(roster_copy: Callable[..., Path]) -> None:
    roster = roster_copy()
    (roster / "extra.csv").write_text("a,b\n")
    with pytest.raises(RosterError, match=r"extra\.csv: is not listed in manifest\.csv"):
        import_roster(roster)


def test_delta_may_refer_to_stored_records_but_bulk_may_not(tmp_path: Path) -> None:
    import_roster(ONEROSTER / "good-1.2")
    cls = SchoolClass.objects.first()
    student = Person.objects.filter(role="student").first()
    assert cls is not None and student is not None
    eheader = (ONEROSTER / "good-1.2" / "enrollments.csv").read_text().splitlines()[0]
    row = f"enr-new,active,2026-09-01T00:00:00Z,{cls.sourced_id},{cls.school.sourced_id},{student.sourced_id},student,false,,"
    for mode, ok in (("delta", True), ("bulk", False)):
        folder = tmp_path / mode
        folder.mkdir()
        (folder / "manifest.csv").write_text(
            f"propertyName,value\noneroster.version,1.2\nfile.enrollments,{mode}\nfile.classes,{mode}\n"
        )
        cheader = (ONEROSTER / "good-1.2" / "classes.csv").read_text().splitlines()[0]
        (folder / "classes.csv").write_text(cheader + "\n")
        (folder / "enrollments.csv").write_text(f"{eheader}\n{row}\n")
        if ok:
            import_roster(folder)
            assert Enrollment.objects.filter(sourced_id="enr-new", active=True).exists()
        else:
            with pytest.raises(RosterError, match=r"not in classes\.csv$"):
                import_roster(folder)


def test_awkward_characters_survive_the_bulk_writer(roster_copy: Callable[..., Path]) -> None:
    """Backslashes, tabs, newlines and quotes go through COPY (PostgreSQL) and executemany."""
    roster = roster_copy()
    users = roster / "users.csv"
    lines = users.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[5].split(",")
    fields[6] = '"Zoë \\ O\'Brien\t""Jr""\nII"'
    lines[5] = ",".join(fields)
    users.write_text("".join(lines), encoding="utf-8")
    import_roster(roster)
    person = Person.objects.get(sourced_id=fields[0])
    assert person.given_name == 'Zoë \\ O\'Brien\t"Jr"\nII'
    again = import_roster(roster)
    assert again.counts["users"].unchanged == 55
