"""Acknowledgments: signing, who must sign, material changes, reminders, the outstanding
report, and the hash chain catching records altered, inserted or deleted in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection

from schoolgate.control.agreements.documents import MONITORING_NOTICE
from schoolgate.control.agreements.models import Acknowledgment, PolicyDocument, Reminder
from schoolgate.control.agreements.services import (
    SigningError,
    acknowledgment_status,
    current_pack,
    outstanding,
    register_policy,
    send_reminders,
    sign,
)
from schoolgate.control.evidence.services import anchor_path, verify
from schoolgate.control.people.models import Person
from schoolgate.policy.model import Pack

from .conftest import guardian_and_student, person

pytestmark = pytest.mark.usefixtures("district")


def _sign(who: Person, signer: Person | None = None, **kwargs: object) -> Acknowledgment:
    by = signer or who
    return sign(
        who,
        signer=signer,
        typed_name=f"{by.given_name} {by.family_name}",
        ip_address="10.1.2.3",
        user_agent="pytest",
        **kwargs,
    )  # type: ignore[arg-type]


def _reworded(pack: Pack) -> Pack:
    """The same pack with one clause reworded: a material change."""
    data = pack.model_dump(mode="json")
    data["clauses"][0]["text"] += " Reworded by the board."
    data["metadata"]["version"] += "-b"
    return Pack.model_validate(data)


def test_a_signature_records_the_evidence() -> None:
    teacher = person("teacher")
    record = _sign(teacher)
    assert record.seq == 1 and record.signer == teacher and record.on_behalf_of == teacher
    assert record.signed_at.tzinfo is not None and record.ip_address == "10.1.2.3"
    document = PolicyDocument.objects.get(policy_version=record.policy_version, audience="staff")
    assert record.document_hash == document.text_hash
    assert "NOTICE OF ELECTRONIC MONITORING" in document.text
    assert "monitoring" in record.intent
    assert record.policy_hash == record.policy_version.content_hash


def test_student_document_has_no_monitoring_notice_and_a_guardian_may_sign() -> None:
    guardian, student = guardian_and_student()
    record = _sign(student, signer=guardian)
    assert record.audience == "guardian" and record.on_behalf_of == student
    assert student.display_name in record.intent
    assert MONITORING_NOTICE[:20] not in record.document.text


def test_who_may_sign() -> None:
    teacher, other = person("teacher"), person("teacher", 1)
    with pytest.raises(SigningError, match="only the person or their parent or guardian"):
        _sign(teacher, signer=other)
    with pytest.raises(SigningError, match="typed name does not match"):
        sign(teacher, typed_name="Someone Else")


def test_signing_twice_returns_the_first_signature() -> None:
    teacher = person("teacher")
    assert _sign(teacher).pk == _sign(teacher).pk
    assert Acknowledgment.objects.count() == 1


def test_status_follows_the_pack_audience() -> None:
    pack = current_pack().pack
    teacher, guardian = person("teacher"), person("guardian")
    _sign(teacher)
    status = acknowledgment_status(pack, dt.datetime.now(dt.UTC))
    assert status[teacher.pk] is True
    assert status[person("student").pk] is False
    assert guardian.pk not in status  # ces asks students, staff and volunteers, not guardians


def test_material_change_requires_signing_again() -> None:
    pack = current_pack().pack
    teacher = person("teacher")
    _sign(teacher, pack=pack)
    new = _reworded(pack)
    version = register_policy(new)
    assert version.material and version.baseline == version
    assert acknowledgment_status(new, dt.datetime.now(dt.UTC))[teacher.pk] is False
    _sign(teacher, pack=new)
    assert acknowledgment_status(new, dt.datetime.now(dt.UTC))[teacher.pk] is True


def test_minor_change_keeps_signatures() -> None:
    pack = current_pack().pack
    teacher = person("teacher")
    _sign(teacher, pack=pack)
    data = pack.model_dump(mode="json")
    data["metadata"]["version"] += "-typo"
    minor = Pack.model_validate(data)
    version = register_policy(minor)
    assert not version.material and version.baseline == register_policy(pack).baseline
    assert acknowledgment_status(minor, dt.datetime.now(dt.UTC))[teacher.pk] is True


def test_outstanding_per_school() -> None:
    pack = current_pack().pack
    principal = person("principal")
    before = {row.school: row for row in outstanding(pack)}
    _sign(principal)
    after = {row.school: row for row in outstanding(pack)}
    school = principal.primary_org.name
    assert after[school].signed == before[school].signed + 1
    assert principal not in after[school].missing and principal in before[school].missing
    assert all(p.role != "guardian" for row in after.values() for p in row.missing)


def test_reminders_go_out_once_per_interval() -> None:
    now = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)
    first = send_reminders(now=now)
    assert first.reminded > 0 and len(mail.outbox) == first.messages
    student_mail = next(m for m in mail.outbox if "students." in m.to[0])
    assert len(student_mail.to) >= 2  # the student and their guardians
    again = send_reminders(now=now + dt.timedelta(days=1))
    assert again.reminded == 0 and again.skipped_recent == first.reminded
    later = send_reminders(now=now + dt.timedelta(days=8))
    assert later.reminded == first.reminded
    assert Reminder.objects.count() == 2 * first.reminded


# ------------------------------------------------------------------ the hash chain


def _three() -> list[Acknowledgment]:
    return [_sign(person("teacher", n)) for n in range(3)]


def test_an_untouched_chain_verifies() -> None:
    records = _three()
    report = verify(Acknowledgment)
    assert report.ok and report.records == 3 and report.head == records[-1].record_hash


def test_verify_detects_an_altered_record() -> None:
    records = _three()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_acknowledgment SET typed_name = %s WHERE id = %s",
            ["Somebody Else", records[1].pk],
        )
    report = verify(Acknowledgment)
    assert report.problems == ["record 2: content does not match its hash (altered)"]


def test_verify_detects_a_deleted_record() -> None:
    records = _three()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agreements_acknowledgment WHERE id = %s", [records[1].pk])
    report = verify(Acknowledgment)
    assert "record 2 missing: deleted (the sequence jumps to 3)" in report.problems
    assert any("record 3: does not follow" in p for p in report.problems)


def test_verify_detects_the_last_record_deleted() -> None:
    records = _three()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agreements_acknowledgment WHERE id = %s", [records[2].pk])
    report = verify(Acknowledgment)
    assert any(p.startswith("chain head says 3 records") for p in report.problems)


def test_verify_detects_an_inserted_record() -> None:
    records = _three()
    forged = records[1]
    with connection.cursor() as cursor:
        # Renumber the last record and slip a copy of the second in before it: a plausible forgery.
        cursor.execute(
            "UPDATE agreements_acknowledgment SET seq = 4 WHERE id = %s", [records[2].pk]
        )
        cursor.execute(
            "INSERT INTO agreements_acknowledgment (seq, prev_hash, record_hash, signer_id, "
            "on_behalf_of_id, typed_name, intent, signed_at, ip_address, user_agent, "
            "document_hash, recorded_by, policy_version_id, document_id, policy_hash, audience) "
            "SELECT 3, record_hash, %s, signer_id, on_behalf_of_id, typed_name, intent, "
            "signed_at, ip_address, user_agent, document_hash, recorded_by, policy_version_id, "
            "document_id, policy_hash, audience FROM agreements_acknowledgment WHERE id = %s",
            ["f" * 64, forged.pk],
        )
    problems = verify(Acknowledgment).problems
    assert "record 3: content does not match its hash (altered)" in problems
    assert any(p.startswith("record 4: does not follow") for p in problems)
    assert any(p.startswith("record 4: content does not match") for p in problems)


def test_verify_detects_a_forgery_that_fixes_the_head_by_the_anchor(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        records = _three()
    assert anchor_path("acknowledgments").read_text().split()[0] == "3"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agreements_acknowledgment WHERE id = %s", [records[2].pk])
        cursor.execute(
            "UPDATE evidence_chainhead SET seq = 2, head_hash = %s WHERE name = %s",
            [records[1].record_hash, "acknowledgments"],
        )
    problems = verify(Acknowledgment).problems
    assert problems == [
        "anchor acknowledgments.head records 3 records; the chain ends at 2 (deleted)"
    ]
