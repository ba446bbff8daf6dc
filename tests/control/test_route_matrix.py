"""Every route the project serves × every role, against one explicit table of expectations, and
every route under hostile input.

The per-area matrices (test_console_matrix.py, test_api_matrix.py, …) test pages their authors
thought of; this module walks Django's resolver instead, so a route added without a line in
`EXPECT` fails here (`test_every_route_has_an_expectation`) before it ships unguarded. Where the
answer depends on the relationship (a teacher and a pupil of theirs or not), the table names a
relation and the answer comes from the independent `oracle` over the raw tables, never from
`access.scope`. The hostile half sends NUL bytes, non-UTF-8 escapes, huge numbers, bad dates and
unknown parameters to every route, as an administrator and as a student: none may answer 5xx
(a NUL in a person id was a PostgreSQL 500 on the console's `/people/<id>/` pages).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .console_fixtures import ROLES, District, oracle

SIGNED_IN = ROLES[1:]
INCIDENT_ROLES = {"principal", "technology-manager", "administrator"}
IMPORT_ROLES = {"technology-manager", "administrator"}
APPROVERS = {"teacher", "principal", "technology-manager", "administrator"}
CLASS_VIEWERS = {"teacher", "principal", "technology-manager", "administrator"}


@dataclass(frozen=True)
class Rel:
    """The status depends on the viewer's relationship to the route's object: `yes` when the
    relation `name` holds (RELATIONS, from the oracle), else `no`."""

    name: str
    yes: frozenset[int] = frozenset({200})
    no: frozenset[int] = frozenset({404})


Expected = frozenset[int] | Rel
LOGIN = frozenset({302})  # a console page without sign-in: to /login/ (checked below)
OK = frozenset({200})
FORBIDDEN = frozenset({403})
MISSING = frozenset({404})
POST_ONLY = frozenset({405})
REDIRECT = frozenset({302})
UNAUTHENTICATED = frozenset({401})  # the API without a session or token


def row(anonymous: Expected, signed_in: Expected, **roles: Expected) -> dict[str, Expected]:
    """One route's expectations for all eight roles: `signed_in` for each signed-in role unless
    `roles` names it (`technology_manager` for "technology-manager")."""
    found = {"anonymous": anonymous}
    for role in SIGNED_IN:
        found[role] = roles.pop(role.replace("-", "_"), signed_in)
    assert not roles, f"unknown roles {sorted(roles)}"
    return found


def only(
    who: set[str], allowed: Expected, refused: Expected, anonymous: Expected
) -> dict[str, Expected]:
    """A route for the roles in `who` (`allowed`); every other signed-in role gets `refused`."""
    return row(anonymous, refused, **{r.replace("-", "_"): allowed for r in who})


# THE table: route name → role → the statuses a GET may answer. Anything else fails.
EXPECT: dict[str, dict[str, Expected]] = {
    # The console (docs/console.md, "Pages").
    "console:dashboard": row(LOGIN, OK),
    "console:login": row(OK, OK),
    "console:logout": row(POST_ONLY, POST_ONLY),
    "console:oidc-start": row(POST_ONLY, POST_ONLY),
    "console:oidc-callback": row(MISSING, MISSING),  # no provider is configured in tests
    "console:people": row(LOGIN, OK),
    "console:person": row(LOGIN, Rel("sees")),
    "console:suspend": row(LOGIN, POST_ONLY),
    "console:oidc-unbind": row(LOGIN, POST_ONLY),
    "console:classes": only(CLASS_VIEWERS, OK, FORBIDDEN, LOGIN),
    "console:class": row(LOGIN, Rel("sees-class")),  # 404 for a class one may not open
    "console:sign-index": row(LOGIN, REDIRECT),  # to the signer's own page
    "console:sign": row(LOGIN, Rel("signs-for")),
    "console:consent-index": row(LOGIN, OK),
    "console:consent": row(LOGIN, Rel("guardian-of")),
    "console:sanctions": row(LOGIN, OK),
    "console:lift": row(LOGIN, POST_ONLY),
    "console:access-log": only({"administrator"}, OK, FORBIDDEN, LOGIN),
    "console:incidents": only(INCIDENT_ROLES, OK, FORBIDDEN, LOGIN),
    "console:incident-new": only(INCIDENT_ROLES, Rel("sees"), FORBIDDEN, LOGIN),
    "console:incident": only(INCIDENT_ROLES, Rel("sees-subject"), FORBIDDEN, LOGIN),
    "console:incident-assign": row(LOGIN, POST_ONLY),
    "console:incident-resolve": row(LOGIN, POST_ONLY),
    "console:incident-suspend": row(LOGIN, POST_ONLY),
    "console:roster-import": only(IMPORT_ROLES, OK, FORBIDDEN, LOGIN),
    "console:roster-import-job": only(IMPORT_ROLES, OK, FORBIDDEN, LOGIN),
    "console:events": row(LOGIN, OK),
    "console:events-csv": row(LOGIN, OK),
    "console:reviews": row(LOGIN, OK),
    "console:review": row(LOGIN, Rel("sees-requester")),
    "console:review-approve": row(LOGIN, POST_ONLY),
    "console:review-decline": row(LOGIN, POST_ONLY),
    "console:exceptions": only(APPROVERS, OK, FORBIDDEN, LOGIN),
    "console:exception-revoke": row(LOGIN, POST_ONLY),
    # The JSON API (docs/api.md, "Routes"): people routes refuse anonymous with 401.
    "api:openapi": row(OK, OK),
    "api:people": row(UNAUTHENTICATED, OK),
    "api:person": row(UNAUTHENTICATED, Rel("sees")),
    "api:outstanding": row(UNAUTHENTICATED, OK),
    "api:consents": row(UNAUTHENTICATED, OK),
    "api:sanctions": row(UNAUTHENTICATED, OK),
    "api:lift": row(UNAUTHENTICATED, POST_ONLY),
    "api:incidents": only(INCIDENT_ROLES, OK, FORBIDDEN, UNAUTHENTICATED),
    "api:incident": only(INCIDENT_ROLES, Rel("sees-subject"), FORBIDDEN, UNAUTHENTICATED),
    "api:access-log": only({"administrator"}, OK, FORBIDDEN, UNAUTHENTICATED),
    "api:addresses": row(UNAUTHENTICATED, FORBIDDEN),  # machine tokens only
    "api:leases": row(UNAUTHENTICATED, FORBIDDEN),  # machine tokens only, and POST
    "api:snapshot": row(UNAUTHENTICATED, FORBIDDEN),  # machine tokens only (snapshot:read)
    "api:missing": row(MISSING, MISSING),
}


def _guardian_of(viewer: Any, person: Any) -> bool:
    """The oracle's guardian rule alone, without "oneself": an active guardian link."""
    return viewer.pk != person.pk and oracle("guardian", viewer, person)


def _sees_class(role: str, viewer: Any, school_class: Any) -> bool:
    """Whether `role` may open `school_class`, from the raw tables: the district-wide roles any
    active class, a teacher one they have an active teacher enrollment in, a principal one held
    at a school of their principal role."""
    from schoolgate.control.people.models import Enrollment, PersonRole

    if not school_class.active:
        return False
    if role in ("administrator", "technology-manager"):
        return True
    if role == "teacher":
        return Enrollment.objects.filter(
            person=viewer, school_class=school_class, role="teacher", active=True
        ).exists()
    if role == "principal":
        return PersonRole.objects.filter(
            person=viewer, role="principal", active=True, org_id=school_class.school_id
        ).exists()
    return False


# role, viewer, object → whether the relation holds; every one from the oracle's raw tables.
RELATIONS: dict[str, Callable[[str, Any, Any], bool]] = {
    "sees": lambda role, viewer, person: oracle(role, viewer, person),
    "signs-for": lambda _, viewer, person: viewer.pk == person.pk or _guardian_of(viewer, person),
    "guardian-of": lambda _, viewer, person: _guardian_of(viewer, person),
    # An incident about nobody the filter could name is for the district-wide roles.
    "sees-subject": lambda role, viewer, thing: (
        oracle(role, viewer, thing.subject)
        if thing.subject is not None
        else role in {"technology-manager", "administrator"}
    ),
    "sees-requester": lambda role, viewer, thing: oracle(role, viewer, thing.requester),
    "sees-class": _sees_class,
}


def served_routes() -> dict[str, str]:
    """Every named route Django serves → its pattern, from the resolver (namespaces included).
    An unnamed route is a failure of its own: the table could not name it."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            else:
                assert isinstance(entry, URLPattern)
                assert entry.name, f"an unnamed route: {prefix}{entry.pattern}"
                assert namespace + entry.name not in found, f"two routes named {entry.name}"
                found[namespace + entry.name] = prefix + str(entry.pattern)

    walk(get_resolver().url_patterns, "", "/")
    return found


ROUTES = served_routes()


@dataclass(frozen=True)
class World:
    """What the module committed beside the demo district: objects for every kind of path
    parameter, on both sides of each relationship, and a session cookie per role."""

    district: District
    people: dict[str, int]  # name → Person pk
    incidents: dict[str, int]
    reviews: dict[str, int]
    sanction: int
    exception: int
    job: int
    classes: dict[str, int]  # name → SchoolClass pk
    cookies: dict[str, str]  # role → session id


@pytest.fixture(scope="module")
def world(
    demo_district: District, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> World:
    """Built once, committed with the district, flushed with it at the module's end."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import override_settings
    from django.utils import timezone

    from schoolgate.control.conduct.services import open_incident, suspend
    from schoolgate.control.imports.models import ImportJob
    from schoolgate.control.people.models import Enrollment, Person, PersonRole, SchoolClass
    from schoolgate.control.reviews.models import ReviewRequest, SiteException

    data = tmp_path_factory.mktemp("route-world")
    with (
        django_db_blocker.unblock(),
        override_settings(DATA_DIR=data, SCHOOLGATE_SNAPSHOT=str(data / "snapshot.json")),
    ):
        demo = {role: Person.objects.get(pk=pk) for role, pk in demo_district.people.items()}
        teacher, principal = demo["teacher"], demo["principal"]
        classes = Enrollment.objects.filter(person=teacher, role="teacher").values("school_class")
        students = Person.objects.filter(role="student", active=True).order_by("sourced_id")
        pupil = students.filter(
            enrollments__school_class__in=classes, enrollments__role="student"
        ).exclude(pk=demo["student"].pk)[0]
        elsewhere = next(p for p in students if not oracle("principal", principal, p))
        people = {
            "child": demo["student"],
            "pupil": pupil,
            "elsewhere": elsewhere,
            "teacher": teacher,
            "hr": demo["hr"],
        }
        # a class the teacher teaches, another at the principal's school, one at another school
        schools = PersonRole.objects.filter(person=principal, role="principal", active=True)
        active = SchoolClass.objects.filter(active=True).order_by("pk")
        taught = active.filter(pk__in=classes).first()
        assert taught is not None and taught.school_id in schools.values_list("org_id", flat=True)
        school_classes = {
            "taught": taught,
            "school": active.filter(school=taught.school).exclude(pk__in=classes).first(),
            "elsewhere": active.exclude(school__in=schools.values("org_id")).first(),
        }
        assert all(school_classes.values()), school_classes
        now = timezone.now()
        incidents = {
            name: open_incident("left the room", subject=people[name])
            for name in ("pupil", "elsewhere")
        }
        incidents["nobody"] = open_incident("proxy attempts from an unknown device")
        reviews = {
            name: ReviewRequest.objects.create(
                source="routes",
                seq=n,
                requested_at=now,
                requester=people[name],
                domain=f"www.{name}.example",
            )
            for n, name in enumerate(("child", "pupil", "elsewhere"))
        }
        sanction = suspend(
            pupil,
            scope="internet",
            reason="bypass attempts",
            decided_by=principal,
            ends_at=now + dt.timedelta(days=1),
        )
        exception = SiteException.objects.create(
            domain="www.pupil.example",
            scope="person",
            person=pupil,
            created_at=now,
            reason="research",
            starts=now.date(),
            until=now.date() + dt.timedelta(days=7),
        )
        job = ImportJob.objects.create(
            created_at=now,
            started_by=User.objects.get(pk=demo_district.users["administrator"]),
            source_name="district.zip",
            size=1,
            status="done",
            stage="finished",
            finished_at=now,
        )
        cookies = {}
        for role, pk in demo_district.users.items():
            client = Client()
            client.force_login(User.objects.get(pk=pk))
            cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(
        district=demo_district,
        people={name: p.pk for name, p in people.items()},
        incidents={name: i.pk for name, i in incidents.items()},
        reviews={name: r.pk for name, r in reviews.items()},
        sanction=sanction.pk,
        exception=exception.pk,
        job=job.pk,
        classes={name: c.pk for name, c in school_classes.items()},
        cookies=cookies,
    )


@pytest.fixture
def routes_db(world: World, db: None) -> World:
    """The world inside this test's own (rolled back) transaction."""
    return world


def client_for(world: World, role: str, **kwargs: Any) -> Client:
    from django.conf import settings

    client = Client(**kwargs)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.cookies[role]
    return client


def fills(world: World, name: str) -> list[tuple[str, Any]]:
    """The URLs to GET for route `name`, each with the object its parameter names (or None)."""
    from schoolgate.control.conduct.models import Incident, Sanction
    from schoolgate.control.imports.models import ImportJob
    from schoolgate.control.people.models import Person, SchoolClass
    from schoolgate.control.reviews.models import ReviewRequest, SiteException

    people = [Person.objects.get(pk=pk) for pk in world.people.values()]
    by_pk: dict[str, list[Any]] = {
        "incident": [Incident.objects.get(pk=pk) for pk in world.incidents.values()],
        "lift": [Sanction.objects.get(pk=world.sanction)],
        "review": [ReviewRequest.objects.get(pk=pk) for pk in world.reviews.values()],
        "exception": [SiteException.objects.get(pk=world.exception)],
        "roster-import": [ImportJob.objects.get(pk=world.job)],
        "class": [SchoolClass.objects.get(pk=pk) for pk in world.classes.values()],
    }
    if name == "console:incident-new":  # the person is a query parameter
        return [(f"{reverse(name)}?person={p.sourced_id}", p) for p in people]
    if name == "api:missing":
        return [("/api/v1/no-such-route", None)]
    params = _params(name)
    if not params:
        return [(reverse(name), None)]
    if params == ["sourced_id"]:
        return [(reverse(name, kwargs={"sourced_id": p.sourced_id}), p) for p in people]
    if params == ["provider_id"]:
        return [(reverse(name, kwargs={"provider_id": "no-such-provider"}), None)]
    assert params == ["pk"], (name, params)
    short = name.split(":")[1]
    kind = next((k for k in by_pk if short.startswith(k)), None)
    assert kind is not None, f"say in fills() which objects fill {name}'s pk"
    return [(reverse(name, kwargs={"pk": thing.pk}), thing) for thing in by_pk[kind]]


def _params(name: str) -> list[str]:
    """The route's path parameters, by name, from its pattern (`<int:pk>` → `pk`)."""
    return re.findall(r"<(?:\w+:)?(\w+)>", ROUTES[name])


def check(expected: Expected, role: str, viewer: Any, thing: Any) -> frozenset[int]:
    """The statuses allowed for `role` on `thing`, the relation resolved by the oracle."""
    if isinstance(expected, frozenset):
        return expected
    assert thing is not None, "a relation needs an object"
    holds = role != "anonymous" and RELATIONS[expected.name](role, viewer, thing)
    return expected.yes if holds else expected.no


def test_every_route_has_an_expectation() -> None:
    """A new route without a line in EXPECT fails here; so does a line for a route gone."""
    assert set(EXPECT) == set(ROUTES), {
        "routes without an expectation": sorted(set(ROUTES) - set(EXPECT)),
        "expectations without a route": sorted(set(EXPECT) - set(ROUTES)),
    }
    for name, roles in EXPECT.items():
        assert tuple(roles) == ROLES, name
        for role, expected in roles.items():
            if isinstance(expected, Rel):
                assert expected.name in RELATIONS, (name, role, expected.name)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_by_role(routes_db: World, name: str) -> None:
    """GET the route as each role on each of its objects; the answer must be in the table."""
    from schoolgate.control.people.models import Person

    expectations = EXPECT.get(name)
    assert expectations is not None, f"{name} ({ROUTES[name]}) has no line in EXPECT"
    wrong = []
    for role in ROLES:
        client = client_for(routes_db, role)
        viewer = (
            Person.objects.get(pk=routes_db.district.people[role]) if role != "anonymous" else None
        )
        for url, thing in fills(routes_db, name):
            allowed = check(expectations[role], role, viewer, thing)
            response = client.get(url)
            status = response.status_code
            if status not in allowed:
                wrong.append((role, url, status, sorted(allowed)))
            elif status == 302 and allowed is LOGIN:
                location = response["Location"]
                if not location.startswith("/login/"):
                    wrong.append((role, url, f"302 to {location}", "/login/"))
    assert not wrong, wrong


# Hostile input: path parameters, then query strings. Raw: the client sends them as written.
HOSTILE_PATHS = [
    "%00",
    "usr-1%00",
    "x" * 3000,
    "%ff",
    "%C3%28",
    "%E2%98%83%F0%9F%98%80",
    "-1",
    "0",
    "99999999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "%27%20OR%201%3D1%20--",
    "..%2F..%2Fetc%2Fpasswd",
    "%20",
]
HOSTILE_VALUES = [
    "%00",
    "a%00b",
    "%ff%fe",
    "%E2%98%83",
    "x" * 5000,
    "-1",
    "99999999999999999999999999",
    "2024-13-45",
    "9999-99-99T99%3A99",
    "%27%20OR%201%3D1%20--",
]
# Every query parameter a console page or an API route reads, and some none reads.
PARAMETERS = [
    "q",
    "person",
    "page",
    "page_size",
    "status",
    "done",
    "after",
    "next",
    "domain",
    "category",
    "action",
    "bypass",
    "since",
    "until",
    "role",
    "school",
    "acknowledgment",
    "consent",
    "state",
    "code",
    "error",
    "format",
    "unknown",
]
SENTINEL_ID, SENTINEL_PK = "route-sentinel", 987654321


def hostile_urls(name: str, singly: bool) -> Iterator[str]:
    """The route with each hostile path parameter, then with hostile query strings: every
    parameter at once per value and, if `singly`, each parameter alone with a NUL and with a
    number no column holds (alone, because a form or serializer that refuses one parameter
    answers 400 before the others reach the database)."""
    params = _params(name)
    if name == "api:missing":
        base = "/api/v1/no-such-route"
    elif params:
        kwargs: dict[str, Any] = {p: SENTINEL_PK if p == "pk" else SENTINEL_ID for p in params}
        template = reverse(name, kwargs=kwargs)
        sentinel = str(SENTINEL_PK) if "pk" in params else SENTINEL_ID
        for value in HOSTILE_PATHS:
            yield template.replace(sentinel, value)
        base = template
    else:
        base = reverse(name)
    for value in HOSTILE_VALUES:
        yield base + "?" + "&".join(f"{p}={value}" for p in PARAMETERS)
    for parameter in PARAMETERS if singly else ():
        for value in ("%00", "99999999999999999999999999"):
            yield f"{base}?{parameter}={value}"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_no_server_error_on_hostile_input(routes_db: World, name: str) -> None:
    """As an administrator (who passes every role check) and a student (who passes few), no
    hostile path or query may answer 5xx; parameters one by one only as the administrator, whom
    no role check stops before they are read. Each request runs in a savepoint rolled back after it,
    so one PostgreSQL error cannot poison the requests after it and hide their answers."""
    from django.db import transaction

    failures = []
    for role in ("administrator", "student"):
        client = client_for(routes_db, role, raise_request_exception=False)
        for url in hostile_urls(name, singly=role == "administrator"):
            savepoint = transaction.savepoint()
            try:
                status = client.get(url).status_code
            finally:
                transaction.savepoint_rollback(savepoint)
            if status >= 500:
                failures.append((role, url[:120], status))
    assert not failures, failures
