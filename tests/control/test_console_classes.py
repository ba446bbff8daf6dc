"""The class pages (/classes/, /classes/<id>/): a teacher opens their class and sees this week's
blocks by category, a row per student and the bypass attempts — only their own students, every
one of them written to the access log. Expectations come from the raw tables (enrollments, roles)
and from the events the test itself feeds through the real spool and ingester, never from
`access.scope` or `activity.classes`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.access.scope import ACTIONS, CLASS_ROLES, may, visible_classes
from schoolgate.control.accounts.services import create_account
from schoolgate.control.activity.ingest import ingest
from schoolgate.control.people.models import Enrollment, Person, PersonRole, SchoolClass
from schoolgate.control.people.services import assign_role

from .activity_fixtures import dns_record, write_spool
from .console_fixtures import ROLES, Demo, demo

__all__ = ["demo"]

DAY = 86_400
CLASS_VIEWERS = {"teacher", "principal", "technology-manager", "administrator"}


def client_for(demo: Demo, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(demo.users[role])
    return client


def taught_by(person: Person) -> set[int]:
    """The active classes with an active teacher enrollment of `person` (raw table)."""
    return set(
        Enrollment.objects.filter(
            person=person, role="teacher", active=True, school_class__active=True
        ).values_list("school_class_id", flat=True)
    )


def principal_schools(person: Person) -> set[int]:
    return set(
        PersonRole.objects.filter(person=person, role="principal", active=True).values_list(
            "org_id", flat=True
        )
    )


def expected_classes(role: str, person: Person) -> set[int]:
    """Which classes `role` may open, from the raw tables."""
    active = SchoolClass.objects.filter(active=True)
    if role in ("administrator", "technology-manager"):
        return set(active.values_list("pk", flat=True))
    if role == "teacher":
        return taught_by(person)
    if role == "principal":
        return set(active.filter(school__in=principal_schools(person)).values_list("pk", flat=True))
    return set()


def students_in(school_class: SchoolClass) -> list[Person]:
    return list(
        Person.objects.filter(
            active=True,
            enrollments__school_class=school_class,
            enrollments__role="student",
            enrollments__active=True,
        )
        .distinct()
        .order_by("sourced_id")
    )


@pytest.fixture
def setting(demo: Demo, tmp_path: Path) -> dict[str, Any]:
    """The teacher's first class with two of its pupils, a class of another teacher at the same
    school, a class at another school, a student in none of the teacher's classes — and this
    week's and older filter events for the pupils and the outsider, fed through the ingester."""
    teacher = demo.people["teacher"]
    mine = SchoolClass.objects.filter(pk__in=taught_by(teacher)).order_by("pk")
    school_class = next(c for c in mine if len(students_in(c)) >= 2)
    pupil, classmate = students_in(school_class)[:2]
    taught_students = Person.objects.filter(
        enrollments__school_class__in=mine, enrollments__role="student"
    )
    outsider = (
        Person.objects.filter(role="student", active=True)
        .exclude(pk__in=taught_students.values("pk"))
        .order_by("sourced_id")
        .first()
    )
    assert outsider is not None
    same_school = (
        SchoolClass.objects.filter(school=school_class.school, active=True)
        .exclude(pk__in=taught_by(teacher))
        .order_by("pk")
        .first()
    )
    other_school = (
        SchoolClass.objects.filter(active=True)
        .exclude(school__in=principal_schools(demo.people["principal"]))
        .order_by("pk")
        .first()
    )
    assert same_school is not None and other_school is not None

    now = time.time()
    recent, old = now - 3600, now - 10 * DAY
    records = []
    for i in range(3):
        records.append(
            dns_record(f"g{i}.games.test", user=pupil.sourced_id, at=recent - i,
                       categories=["games"], action="block")
        )  # fmt: skip
    records.append(
        dns_record("chat.games.test", user=pupil.sourced_id, at=recent - 10,
                   categories=["games", "social"], action="block")
    )  # fmt: skip
    for i in range(2):
        records.append(
            dns_record(f"dns{i}.pupil-proxy.test", user=pupil.sourced_id, at=recent - 20 - i,
                       categories=["filter-bypass"], action="block", bypass_kind="doh")
        )  # fmt: skip
    records.append(dns_record("learn.test", user=pupil.sourced_id, at=recent - 30))
    # older than 7 days: never counted
    for i in range(2):
        records.append(
            dns_record(f"old{i}.games.test", user=pupil.sourced_id, at=old - i,
                       categories=["games"], action="block")
        )  # fmt: skip
    records.append(
        dns_record("old.pupil-proxy.test", user=pupil.sourced_id, at=old - 5,
                   categories=["filter-bypass"], action="block", bypass_kind="vpn")
    )  # fmt: skip
    records.append(
        dns_record("www.adult.test", user=classmate.sourced_id, at=recent - 40,
                   categories=["adult"], action="block")
    )  # fmt: skip
    # not in the class: never on its page
    for i in range(5):
        records.append(
            dns_record(f"bet{i}.gambling.test", user=outsider.sourced_id, at=recent - 50 - i,
                       categories=["gambling"], action="block")
        )  # fmt: skip
    records.append(
        dns_record("outsider-proxy.test", user=outsider.sourced_id, at=recent - 60,
                   categories=["filter-bypass"], action="block", bypass_kind="proxy")
    )  # fmt: skip
    # no known person: counted in the district's "everyone" rows only
    records.append(
        dns_record("guest.games.test", client="10.9.9.9", at=recent - 70,
                   categories=["games"], action="block")
    )  # fmt: skip
    write_spool(tmp_path / "spool", records)
    result = ingest(tmp_path / "spool")
    assert result.stored == len(records) and result.malformed == 0
    return {
        "class": school_class,
        "pupil": pupil,
        "classmate": classmate,
        "outsider": outsider,
        "same_school": same_school,
        "other_school": other_school,
    }


def test_the_teacher_sees_their_class_this_week(demo: Demo, setting: dict[str, Any]) -> None:
    client = client_for(demo, "teacher")
    school_class, pupil, classmate = setting["class"], setting["pupil"], setting["classmate"]
    listing = client.get("/classes/")
    assert listing.status_code == 200
    assert {c.pk for c in listing.context["page"]} == taught_by(demo.people["teacher"])
    assert f'href="/classes/{school_class.pk}/"' in listing.content.decode()

    page = client.get(f"/classes/{school_class.pk}/")
    assert page.status_code == 200
    activity = page.context["activity"]
    # this week's blocks only (not the two older ones), the classmate's, not the outsider's
    assert activity.blocks == 7
    assert dict(activity.categories) == {"games": 4, "filter-bypass": 2, "social": 1, "adult": 1}
    assert activity.categories[0] == ("games", 4)
    rows = {row.person.pk: row for row in activity.students}
    assert set(rows) == {p.pk for p in students_in(school_class)}
    assert rows[pupil.pk].blocks == 6
    assert rows[pupil.pk].top_categories == (("games", 4), ("filter-bypass", 2), ("social", 1))
    assert rows[pupil.pk].bypass_attempts == 2
    assert rows[classmate.pk].blocks == 1 and rows[classmate.pk].bypass_attempts == 0
    others = [row for pk, row in rows.items() if pk not in (pupil.pk, classmate.pk)]
    assert all(row.blocks == 0 and row.bypass_attempts == 0 for row in others)
    recent = activity.recent_bypass
    assert sorted(e.domain for e in recent) == ["dns0.pupil-proxy.test", "dns1.pupil-proxy.test"]

    html = page.content.decode()
    assert school_class.title in html and school_class.school.name in html
    assert demo.people["teacher"].display_name in html  # among its teachers
    assert f'href="/people/{pupil.sourced_id}/"' in html
    assert f'href="/events/?person={pupil.sourced_id}"' in html
    assert "dns0.pupil-proxy.test" in html and "doh" in html
    assert "old.pupil-proxy.test" not in html and "vpn" not in html


def test_the_event_log_link_shows_that_pupil(demo: Demo, setting: dict[str, Any]) -> None:
    client = client_for(demo, "teacher")
    pupil = setting["pupil"]
    rows = client.get(f"/events/?person={pupil.sourced_id}").context["rows"]
    assert rows and {e.person_id for e in rows} == {pupil.pk}


def test_other_students_never_appear(demo: Demo, setting: dict[str, Any]) -> None:
    outsider = setting["outsider"]
    for role in ("teacher", "administrator"):
        html = client_for(demo, role).get(f"/classes/{setting['class'].pk}/").content.decode()
        assert outsider.display_name not in html
        assert outsider.sourced_id not in html
        assert "gambling" not in html and "outsider-proxy.test" not in html
        assert "guest.games.test" not in html


def test_classes_not_taught_are_not_found(demo: Demo, setting: dict[str, Any]) -> None:
    client = client_for(demo, "teacher")
    for school_class in (setting["same_school"], setting["other_school"]):
        assert client.get(f"/classes/{school_class.pk}/").status_code == 404
    missing = SchoolClass.objects.order_by("-pk").first().pk + 1000
    assert client.get(f"/classes/{missing}/").status_code == 404
    assert not AccessLogEntry.objects.filter(what="class-activity").exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_class_pages(demo: Demo, setting: dict[str, Any], role: str) -> None:
    client = client_for(demo, role)
    listing = client.get("/classes/")
    if role == "anonymous":
        assert listing.status_code == 302 and listing["Location"].startswith("/login/")
        return
    viewer = demo.people[role]
    expected = expected_classes(role, viewer)
    assert {c.pk for c in visible_classes(demo.users[role])} == expected
    if role not in CLASS_VIEWERS:
        assert listing.status_code == 403
        assert not expected
    else:
        assert listing.status_code == 200
        assert expected and {c.pk for c in listing.context["page"]} == expected
    for school_class in (setting["class"], setting["same_school"], setting["other_school"]):
        status = client.get(f"/classes/{school_class.pk}/").status_code
        assert status == (200 if school_class.pk in expected else 404), (role, school_class)
    dashboard = client.get("/").content.decode()
    assert ('href="/classes/"' in dashboard) == (role in CLASS_VIEWERS)


def test_the_principal_sees_the_classes_of_their_school(
    demo: Demo, setting: dict[str, Any]
) -> None:
    principal = demo.people["principal"]
    client = client_for(demo, "principal")
    shown = {c.pk for c in client.get("/classes/").context["page"]}
    schools = principal_schools(principal)
    assert shown and all(SchoolClass.objects.get(pk=pk).school_id in schools for pk in shown)
    assert setting["same_school"].pk in shown and setting["class"].pk in shown
    assert setting["other_school"].pk not in shown
    assert client.get(f"/classes/{setting['other_school'].pk}/").status_code == 404
    page = client.get(f"/classes/{setting['class'].pk}/")
    assert page.context["activity"].blocks == 7


def test_the_administrator_sees_every_class(demo: Demo, setting: dict[str, Any]) -> None:
    client = client_for(demo, "administrator")
    listing = client.get("/classes/")
    active = SchoolClass.objects.filter(active=True)
    assert listing.context["page"].paginator.count == active.count()
    row = next(
        r for r in listing.context["rows"] if r["school_class"].pk == setting["other_school"].pk
    )
    assert row["school_class"].students == len(students_in(setting["other_school"]))
    page = client.get(f"/classes/{setting['other_school'].pk}/")
    assert page.status_code == 200
    shown = {r.person.pk for r in page.context["activity"].students}
    assert shown == {p.pk for p in students_in(setting["other_school"])}
    found = client.get("/classes/", {"q": setting["class"].title})
    assert setting["class"].pk in {c.pk for c in found.context["page"]}
    assert found.context["page"].paginator.count < active.count()
    assert (
        client.get("/classes/", {"q": "no such class title"}).context["page"].paginator.count == 0
    )


def test_every_student_shown_is_logged_once(demo: Demo, setting: dict[str, Any]) -> None:
    client = client_for(demo, "teacher")
    client.get("/classes/")
    assert not AccessLogEntry.objects.filter(what="class-activity").exists()  # counts only
    school_class = setting["class"]
    response = client.get(f"/classes/{school_class.pk}/")
    assert response.status_code == 200
    entries = AccessLogEntry.objects.filter(what="class-activity")
    subjects = list(entries.values_list("subject_id", flat=True))
    assert sorted(subjects) == sorted(p.pk for p in students_in(school_class))
    assert setting["outsider"].pk not in subjects
    entry = entries.first()
    assert entry is not None
    assert entry.purpose == "activity" and entry.path == f"/classes/{school_class.pk}/"
    assert entry.viewer_id == demo.users["teacher"].pk
    assert entry.viewer_person_id == demo.people["teacher"].pk


def test_a_student_left_the_class_is_not_shown(demo: Demo, setting: dict[str, Any]) -> None:
    """An ended enrollment: the pupil is no longer the teacher's, nor on the class page."""
    school_class, pupil = setting["class"], setting["pupil"]
    Enrollment.objects.filter(school_class=school_class, person=pupil).update(active=False)
    page = client_for(demo, "teacher").get(f"/classes/{school_class.pk}/")
    assert pupil.pk not in {r.person.pk for r in page.context["activity"].students}
    assert page.context["activity"].blocks == 1  # the classmate's
    assert pupil.display_name not in page.content.decode()
    logged = AccessLogEntry.objects.filter(what="class-activity", subject=pupil)
    assert not logged.exists()


def test_scope_unions_roles_and_follows_the_class_roles(demo: Demo) -> None:
    teacher = demo.people["teacher"]
    user = demo.users["teacher"]
    other_school = SchoolClass.objects.exclude(school__in=SchoolClass.objects.filter(
        pk__in=taught_by(teacher)).values("school")).order_by("pk").first()  # fmt: skip
    assert other_school is not None
    assign_role(teacher, "principal", other_school.school)
    # as for people: a principal's schools are every school they belong to (`schools_of`)
    schools = {teacher.primary_org_id} | set(
        PersonRole.objects.filter(person=teacher, active=True).values_list("org_id", flat=True)
    )
    assert other_school.school_id in schools
    held = set(
        SchoolClass.objects.filter(school__in=schools, active=True).values_list("pk", flat=True)
    )
    assert {c.pk for c in visible_classes(user)} == taught_by(teacher) | held

    # an aide enrolled as one sees that class, as `visible_people` gives them its students
    aide = Person.objects.filter(role="aide", active=True).order_by("sourced_id").first()
    assert aide is not None and aide.username
    Enrollment.objects.create(
        sourced_id="enr-test-aide",
        school_class=other_school,
        person=aide,
        school=other_school.school,
        role="aide",
    )
    aide_user = create_account(aide, "a long enough pass phrase").user
    assert may(aide_user, "see-classes")
    assert {c.pk for c in visible_classes(aide_user)} == {other_school.pk}
    response = Client()
    response.force_login(aide_user)
    assert response.get(f"/classes/{other_school.pk}/").status_code == 200

    # an inactive class is nobody's
    SchoolClass.objects.filter(pk=other_school.pk).update(active=False)
    assert not visible_classes(aide_user).exists()
    assert other_school.pk not in {c.pk for c in visible_classes(demo.users["administrator"])}

    assert not visible_classes(AnonymousUser()).exists()
    stray = User.objects.create_user("stray", password="x" * 16)
    assert not visible_classes(stray).exists()
    assert ACTIONS["see-classes"] >= CLASS_ROLES


def test_the_page_names_only_students_the_viewer_may_see(
    demo: Demo, setting: dict[str, Any]
) -> None:
    """The class's enrollments are intersected with `visible_people`: a classmate whose records
    put them at another school is the teacher's (by enrollment) but not the principal's, and an
    inactive pupil is nobody's."""
    school_class, pupil, classmate = setting["class"], setting["pupil"], setting["classmate"]
    elsewhere = setting["other_school"].school
    Person.objects.filter(pk=classmate.pk).update(primary_org=elsewhere)
    PersonRole.objects.filter(person=classmate).update(org=elsewhere)
    Person.objects.filter(pk=pupil.pk).update(active=False)
    everyone = {p.pk for p in students_in(school_class)}
    for role, hidden in (("teacher", {pupil.pk}), ("principal", {pupil.pk, classmate.pk})):
        page = client_for(demo, role).get(f"/classes/{school_class.pk}/")
        shown = {r.person.pk for r in page.context["activity"].students}
        assert shown == everyone - hidden, role
        assert page.context["activity"].blocks == (1 if classmate.pk in shown else 0), role
        logged = set(
            AccessLogEntry.objects.filter(
                what="class-activity", viewer=demo.users[role]
            ).values_list("subject", flat=True)
        )
        assert logged == shown, role
