"""Review requests end to end: the block page's spool → the "reviews" reader → the console,
where a teacher approves for a class they teach → the snapshot is republished → the engine,
deciding on the fetched snapshot, opens the site for that class's students and no one else.
Also declining, revoking, the limits on what may be approved, and what publication compiles."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from schoolgate.control.access.models import AccessLogEntry
from schoolgate.control.people.models import Enrollment, Person, SchoolClass
from schoolgate.control.publication.server import SnapshotServer
from schoolgate.control.publication.services import build_records
from schoolgate.control.reviews import ingest
from schoolgate.control.reviews.models import ReviewRequest, SiteException
from schoolgate.enforce.follow import SnapshotFetcher
from schoolgate.engine import decide, event_from_dict
from schoolgate.engine.snapshot import Snapshot
from schoolgate.spool import SpoolReader, SpoolWriter

from .console_fixtures import Demo, demo

__all__ = ["demo"]

HOST = "www.coolgames.example"
DOMAIN = "coolgames.example"


# ------------------------------------------------------------------ helpers


def block_page_record(user: str | None, name: str = HOST, why: str = "for maths class") -> bytes:
    """A record exactly as the block page writes it (enforce/blockpage/server.py)."""
    record = {
        "kind": "review-request",
        "time": round(time.time(), 3),
        "client": "10.20.0.17",
        "user": user,
        "name": name,
        "rule": "web-games",
        "clause": "ces/administrative-guidelines#8",
        "revision": "0" * 64,
        "why": why,
    }
    return json.dumps(record, ensure_ascii=False).encode()


def request_from(spool: Path, person: Person, name: str = HOST) -> ReviewRequest:
    with SpoolWriter(spool) as writer:
        writer.append_bytes(block_page_record(person.sourced_id, name))
    ingest.ingest(spool)
    return ReviewRequest.objects.filter(requester=person, domain=name).latest("pk")


def as_role(demo: Demo, role: str) -> Client:
    client = Client()
    client.force_login(demo.users[role])
    return client


def taught(teacher: Person) -> list[SchoolClass]:
    return list(
        SchoolClass.objects.filter(
            enrollments__person=teacher, enrollments__role="teacher", enrollments__active=True
        ).order_by("pk")
    )


def students(school_class: SchoolClass) -> list[Person]:
    return list(
        Person.objects.filter(
            enrollments__school_class=school_class,
            enrollments__role="student",
            enrollments__active=True,
            active=True,
        ).order_by("sourced_id")
    )


def pupil_and_class(demo: Demo) -> tuple[Person, SchoolClass]:
    for school_class in taught(demo.people["teacher"]):
        found = students(school_class)
        if len(found) >= 2:
            return found[0], school_class
    raise AssertionError("the demo teacher has no class with two students")


def outsider(demo: Demo) -> Person:
    """A student in none of the demo teacher's classes."""
    classes = [c.pk for c in taught(demo.people["teacher"])]
    inside = Enrollment.objects.filter(school_class__in=classes).values("person")
    found = (
        Person.objects.filter(role="student", active=True)
        .exclude(pk__in=inside)
        .order_by("sourced_id")
        .first()
    )
    assert found is not None
    return found


def web(user: str, name: str = HOST) -> Any:
    return event_from_dict(
        {
            "channel": "web",
            "time": timezone.now().isoformat(),
            "subject": {"user": user},
            "web": {"domain": name, "categories": ["games"]},
        }
    )


def approve_form(school_class: SchoolClass | None, **extra: str) -> dict[str, str]:
    form = {
        "scope": "class" if school_class else "person",
        "domain": DOMAIN,
        "until": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        "reason": "Fractions practice in maths",
    }
    if school_class is not None:
        form["school_class"] = str(school_class.pk)
    return {**form, **extra}


@pytest.fixture
def server(data_dir: Path) -> Iterator[SnapshotServer]:
    httpd = SnapshotServer(("127.0.0.1", 0), data_dir / "snapshot.json")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def fetched(server: SnapshotServer) -> Snapshot:
    fetcher = SnapshotFetcher(server.url)
    assert fetcher.fetch(), fetcher.last_error
    assert fetcher.snapshot is not None
    return fetcher.snapshot


# ------------------------------------------------------------------ ingestion


def test_ingestion_stores_each_request_once_and_skips_the_rest(db: None, tmp_path: Path) -> None:
    from schoolgate.control.people.services import add_person

    student = add_person("Ada", "Lovelace", "student")
    spool = tmp_path / "spool"
    with SpoolWriter(spool) as writer:
        writer.append({"kind": "dns", "name": "www.example.org", "action": "allow"})
        writer.append_bytes(block_page_record(student.sourced_id))
        writer.append_bytes(block_page_record(None, "www.other.example", why=""))
        writer.append_bytes(b"\xff\xfe not json")
        writer.append({"kind": "review-request", "time": "yesterday", "name": HOST})
        writer.append({"kind": "review-request", "time": 1.0, "name": "bad name/with slash"})
        writer.append_bytes(block_page_record("nobody-known", "www.third.example"))
    first = ingest.ingest(spool)
    assert (first.read, first.stored, first.other_kinds, first.malformed) == (7, 3, 1, 3)
    request = ReviewRequest.objects.get(domain=HOST)
    assert request.requester == student and request.why == "for maths class"
    assert request.rule == "web-games" and request.status == "open" and request.seq == 1
    assert ReviewRequest.objects.get(domain="www.third.example").requester is None
    # Caught up: nothing more; the DNS-events reader's offset is its own.
    assert ingest.ingest(spool).read == 0
    assert SpoolReader(spool, "activity").committed == 0
    # A crash before the commit re-reads everything: the duplicates are recognised.
    (spool / "readers" / "reviews.offset").write_text('{"next": 0}')
    again = ingest.ingest(spool)
    assert (again.read, again.stored, again.duplicates) == (7, 0, 3)
    assert ReviewRequest.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_follow_ingests_in_a_thread_until_stopped(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    writer = SpoolWriter(spool)
    stop = threading.Event()
    worker = threading.Thread(
        target=ingest.follow, args=(spool, stop), kwargs={"interval": 0.05}, daemon=True
    )
    worker.start()
    try:
        writer.append_bytes(block_page_record(None))
        writer.sync()
        deadline = time.monotonic() + 10
        while not ReviewRequest.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ReviewRequest.objects.filter(domain=HOST).exists()
    finally:
        stop.set()
        worker.join(timeout=10)
        writer.close()
    assert not worker.is_alive()


# ------------------------------------------------------------------ approving, end to end


def test_a_teacher_approves_for_their_class_and_only_that_class_gets_the_site(
    demo: Demo, tmp_path: Path, server: SnapshotServer
) -> None:
    pupil, school_class = pupil_and_class(demo)
    classmate = next(p for p in students(school_class) if p.pk != pupil.pk)
    other = outsider(demo)
    request = request_from(tmp_path / "spool", pupil)
    teacher = as_role(demo, "teacher")

    listing = teacher.get("/reviews/").content.decode()
    assert f"/reviews/{request.pk}/" in listing and pupil.display_name in listing
    page = teacher.get(f"/reviews/{request.pk}/").content.decode()
    assert f'<option value="{school_class.pk}">' in page
    assert AccessLogEntry.objects.filter(
        viewer=demo.users["teacher"], subject=pupil, purpose="review"
    ).exists()

    response = teacher.post(f"/reviews/{request.pk}/approve/", approve_form(school_class))
    assert response.status_code == 302 and "done=approved" in response["Location"], response
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == demo.people["teacher"]
    exception = request.exception
    assert exception is not None and exception.school_class == school_class
    assert exception.domain == DOMAIN and exception.scope == "class"

    snapshot = fetched(server)
    mine = decide(snapshot, web(pupil.sourced_id))
    assert mine.action == "allow" and mine.rules == (f"exception:{exception.pk}",)
    assert demo.people["teacher"].display_name in mine.explanation
    assert exception.until.isoformat() in mine.explanation
    assert mine.clause_ids == ("ces/internet-safety/filtering-and-monitoring#intro",)
    assert decide(snapshot, web(classmate.sourced_id, "play.coolgames.example")).action == "allow"
    theirs = decide(snapshot, web(other.sourced_id))
    assert theirs.action == "block" and "web-games" in theirs.rules
    # the student sees the outcome of their own request
    student_view = Client()
    from schoolgate.control.accounts.services import create_account

    student_view.force_login(create_account(pupil, "a long enough password 1").user)
    mine_page = student_view.get("/reviews/?status=approved").content.decode()
    assert HOST in mine_page and "approved" in mine_page


def test_a_teacher_cannot_approve_for_a_class_they_do_not_teach(demo: Demo, tmp_path: Path) -> None:
    pupil, _ = pupil_and_class(demo)
    request = request_from(tmp_path / "spool", pupil)
    not_theirs = SchoolClass.objects.exclude(pk__in=[c.pk for c in taught(demo.people["teacher"])])
    foreign = not_theirs.order_by("pk").first()
    assert foreign is not None
    teacher = as_role(demo, "teacher")
    response = teacher.post(f"/reviews/{request.pk}/approve/", approve_form(foreign))
    assert response.status_code == 400
    assert "may not open sites for that class" in response.content.decode()
    school = teacher.post(
        f"/reviews/{request.pk}/approve/",
        approve_form(None, scope="school", school=str(pupil.primary_org_id)),
    )
    assert school.status_code == 400
    assert not SiteException.objects.exists()
    request.refresh_from_db()
    assert request.status == "open"
    # and a request from a student they do not teach is not theirs to see or decide
    hidden = request_from(tmp_path / "spool", outsider(demo))
    assert teacher.get(f"/reviews/{hidden.pk}/").status_code == 404
    assert teacher.post(f"/reviews/{hidden.pk}/approve/", approve_form(None)).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"domain": "use-application-dns.net"}, "does not cover the requested site"),
        ({"until": "2020-01-01"}, "in the past"),
        ({"domain": "example"}, "not a domain name"),
        ({"domain": "games.example"}, "does not cover"),
    ],
)
def test_what_cannot_be_approved(
    demo: Demo, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    pupil, school_class = pupil_and_class(demo)
    request = request_from(tmp_path / "spool", pupil)
    response = as_role(demo, "teacher").post(
        f"/reviews/{request.pk}/approve/", approve_form(school_class, **change)
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not SiteException.objects.exists()


def test_bypass_names_are_refused_and_exceptions_are_bounded(demo: Demo, tmp_path: Path) -> None:
    pupil, school_class = pupil_and_class(demo)
    bypass = request_from(tmp_path / "spool", pupil, "use-application-dns.net")
    admin = as_role(demo, "administrator")
    refused = admin.post(
        f"/reviews/{bypass.pk}/approve/",
        approve_form(school_class, domain="use-application-dns.net"),
    )
    assert refused.status_code == 400 and "way around the filter" in refused.content.decode()
    request = request_from(tmp_path / "spool", pupil)
    too_long = (timezone.localdate() + dt.timedelta(days=367)).isoformat()
    response = admin.post(
        f"/reviews/{request.pk}/approve/", approve_form(school_class, until=too_long)
    )
    assert response.status_code == 400 and "at most 366 days" in response.content.decode()
    assert not SiteException.objects.exists()


def test_decline_with_a_note_the_student_sees(demo: Demo, tmp_path: Path) -> None:
    pupil, _ = pupil_and_class(demo)
    request = request_from(tmp_path / "spool", pupil)
    teacher = as_role(demo, "teacher")
    assert teacher.post(f"/reviews/{request.pk}/decline/", {"note": ""}).status_code == 400
    response = teacher.post(f"/reviews/{request.pk}/decline/", {"note": "Use the library site"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "declined" and request.note == "Use the library site"
    assert request.decided_by == demo.people["teacher"]
    again = teacher.post(f"/reviews/{request.pk}/approve/", approve_form(None))
    assert again.status_code == 400 and "already declined" in again.content.decode()
    assert "Use the library site" in teacher.get("/reviews/?status=declined").content.decode()


def test_revoke_closes_the_site_again(demo: Demo, tmp_path: Path, server: SnapshotServer) -> None:
    pupil, school_class = pupil_and_class(demo)
    request = request_from(tmp_path / "spool", pupil)
    teacher = as_role(demo, "teacher")
    teacher.post(f"/reviews/{request.pk}/approve/", approve_form(school_class))
    exception = SiteException.objects.get()
    assert decide(fetched(server), web(pupil.sourced_id)).action == "allow"
    listing = teacher.get("/exceptions/").content.decode()
    assert DOMAIN in listing and school_class.title in listing
    assert teacher.post(f"/exceptions/{exception.pk}/revoke/", {"reason": ""}).status_code == 400
    response = teacher.post(f"/exceptions/{exception.pk}/revoke/", {"reason": "unit finished"})
    assert response.status_code == 302
    exception.refresh_from_db()
    assert exception.revoked_at is not None and exception.revoke_reason == "unit finished"
    assert DOMAIN not in teacher.get("/exceptions/").content.decode()
    assert decide(fetched(server), web(pupil.sourced_id)).action == "block"


# ------------------------------------------------------------------ publication


def test_publication_compiles_each_scope_into_the_people_it_covers(
    demo: Demo, tmp_path: Path
) -> None:
    from schoolgate.control.reviews.services import approve

    pupil, school_class = pupil_and_class(demo)
    admin = demo.people["administrator"]
    roles = frozenset({"administrator"})
    until = timezone.localdate() + dt.timedelta(days=3)
    by_scope: dict[str, SiteException] = {}
    for scope, name in (("class", "a.example"), ("person", "b.example"), ("school", "c.example")):
        request = request_from(tmp_path / "spool", pupil, f"www.{name}")
        by_scope[scope] = approve(
            request,
            by=admin,
            roles=roles,
            scope=scope,
            until=until,
            reason="research",
            school_class=school_class,
            school=pupil.primary_org,
            domain=name,
        )
    expired = by_scope["person"]
    SiteException.objects.create(
        **{
            f.name: getattr(expired, f.name)
            for f in SiteException._meta.concrete_fields
            if f.name not in ("id", "until", "starts")
        },
        starts=timezone.localdate() - dt.timedelta(days=9),
        until=timezone.localdate() - dt.timedelta(days=1),
    )
    found = {e["domain"]: e for e in build_records()["exceptions"]}
    assert set(found) == {"a.example", "b.example", "c.example"}  # the expired one is left out
    assert set(found["a.example"]["users"]) == {p.sourced_id for p in students(school_class)}
    assert found["b.example"]["users"] == [pupil.sourced_id]
    at_school = set(
        Person.objects.filter(primary_org=pupil.primary_org, active=True).values_list(
            "sourced_id", flat=True
        )
    )
    assert at_school <= set(found["c.example"]["users"])
    assert found["a.example"]["decided_by"] == admin.display_name
    start = dt.datetime.fromisoformat(found["a.example"]["start"])
    end = dt.datetime.fromisoformat(found["a.example"]["until"])
    assert start.date() == timezone.localdate() and end.date() == until + dt.timedelta(days=1)
    assert start.utcoffset() is not None


# ------------------------------------------------------------------ the command


def test_the_ingest_command_reports_what_it_read(db: None, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from schoolgate.cli import main
    from schoolgate.control.reviews.cli import reviews

    assert "reviews" in main.list_commands(None)  # type: ignore[arg-type]
    spool = tmp_path / "spool"
    with SpoolWriter(spool) as writer:
        writer.append_bytes(block_page_record(None))
        writer.append({"kind": "dns", "name": "www.example.org"})
        writer.append_bytes(block_page_record(None))
    runner = CliRunner()
    result = runner.invoke(reviews, ["ingest", "--spool", str(spool)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "read 3, stored 2, duplicates 0, other kinds 1, malformed 0" in result.output
    listed = runner.invoke(reviews, ["list"], catch_exceptions=False).output
    assert listed.count(HOST) == 2


def test_a_request_from_an_unknown_user_is_for_district_staff(demo: Demo, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    with SpoolWriter(spool) as writer:
        writer.append_bytes(block_page_record(None))
    ingest.ingest(spool)
    request = ReviewRequest.objects.get()
    assert request.requester is None
    assert as_role(demo, "teacher").get(f"/reviews/{request.pk}/").status_code == 404
    admin = as_role(demo, "administrator")
    page = admin.get(f"/reviews/{request.pk}/").content.decode()
    assert "not known (from 10.20.0.17)" in page and 'value="person"' not in page
    _, school_class = pupil_and_class(demo)
    alone = admin.post(f"/reviews/{request.pk}/approve/", approve_form(None))
    assert alone.status_code == 400
    response = admin.post(f"/reviews/{request.pk}/approve/", approve_form(school_class))
    assert response.status_code == 302
    assert SiteException.objects.get().school_class == school_class
