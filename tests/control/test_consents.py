"""Guardian consents: who may give them, granted → expiring → revoked, history, the chain."""

from __future__ import annotations

import datetime as dt

import pytest

from schoolgate.control.consents.models import ConsentRecord
from schoolgate.control.consents.services import (
    ConsentError,
    current,
    expiring,
    grant,
    granted_consents,
    history,
    in_force,
    revoke,
)
from schoolgate.control.evidence.services import verify

from .conftest import guardian_and_student, person

pytestmark = pytest.mark.usefixtures("district")
NOW = dt.datetime(2026, 9, 10, 15, tzinfo=dt.UTC)


def _by(guardian: object) -> dict[str, object]:
    return {
        "signer": guardian,
        "typed_name": f"{guardian.given_name} {guardian.family_name}",  # type: ignore[attr-defined]
        "ip_address": "192.0.2.10",
        "user_agent": "pytest",
    }


def test_grant_then_revoke_keeps_history() -> None:
    guardian, student = guardian_and_student()
    grant(student, "publish-work", now=NOW, **_by(guardian))
    grant(student, "chat", now=NOW, **_by(guardian))
    assert granted_consents(NOW)[student.pk] == {"publish-work", "chat"}
    revoke(student, "chat", now=NOW + dt.timedelta(days=1), **_by(guardian))
    assert granted_consents(NOW + dt.timedelta(days=2))[student.pk] == {"publish-work"}
    assert [r.action for r in history(student)] == ["grant", "grant", "revoke"]
    latest = current(student)
    assert latest["chat"].action == "revoke" and in_force(latest["publish-work"], NOW)
    record = latest["publish-work"]
    assert record.on_behalf_of == student and record.signer == guardian
    assert record.document_hash and student.display_name in record.intent
    assert verify(ConsentRecord).ok


def test_an_expired_consent_is_no_longer_in_force() -> None:
    guardian, student = guardian_and_student()
    grant(
        student, "publish-photo", expires_at=NOW + dt.timedelta(days=20), now=NOW, **_by(guardian)
    )
    soon = expiring(dt.timedelta(days=30), now=NOW)
    assert [(e.student, e.consent) for e in soon] == [(student, "publish-photo")]
    assert expiring(dt.timedelta(days=10), now=NOW) == []
    assert "publish-photo" not in granted_consents(NOW + dt.timedelta(days=21)).get(
        student.pk, set()
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not-guardian", "is given by a parent or guardian of the student"),
        ("unknown", "the policy has no consent 'field-trip'"),
        ("not-student", "consents are recorded for students"),
        ("expired", "cannot expire before it is given"),
        ("no-name", "must type their name"),
    ],
)
def test_refused(case: str, message: str) -> None:
    guardian, student = guardian_and_student()
    kwargs = _by(guardian)
    consent, subject = "publish-work", student
    if case == "not-guardian":
        kwargs["signer"] = person("teacher")
    elif case == "unknown":
        consent = "field-trip"
    elif case == "not-student":
        subject = person("teacher")
    elif case == "expired":
        kwargs["expires_at"] = NOW - dt.timedelta(days=1)
    elif case == "no-name":
        kwargs["typed_name"] = "  "
    with pytest.raises(ConsentError, match=message):
        grant(subject, consent, now=NOW, **kwargs)
    assert ConsentRecord.objects.count() == 0
