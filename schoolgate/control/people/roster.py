"""`schoolgate roster import`: a checked OneRoster set written in one transaction.

Everything is read and checked first (`oneroster.check`); only a roster without problems
reaches the database, and then all of it is written in one transaction, so a bad file changes
nothing. Each row's values are hashed: a re-import writes only rows that changed, which makes
importing the same export twice a no-op. A bulk file replaces what is stored: rows it leaves out
are deactivated (leavers keep their history); a delta file changes only the rows it names.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from schoolgate.control.people.bulk import (
    BATCH,
    Counts,
    Progress,
    Table,
    Writer,
    ids_by_sourced_id,
)
from schoolgate.control.people.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Org,
    Person,
    PersonRole,
    RosterImport,
    SchoolClass,
)
from schoolgate.control.people.oneroster import records as rec
from schoolgate.control.people.oneroster.check import RosterSet, check_references, read_roster
from schoolgate.control.people.oneroster.problems import Problem, RosterError
from schoolgate.control.people.oneroster.schema import ROLES
from schoolgate.control.people.oneroster.source import open_source

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    source: str
    version: str
    modes: dict[str, str]
    counts: dict[str, Counts] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, for benchmarks
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"{self.source}: OneRoster {self.version}, {self.seconds:.1f} s"]
        for entity, c in self.counts.items():
            mode = self.modes.get(entity, "")
            lines.append(
                f"  {entity:<17} {mode:<6} {c.created:>8} created {c.updated:>8} updated "
                f"{c.deactivated:>8} deactivated {c.unchanged:>8} unchanged"
            )
        return "\n".join(lines)


def storedids_by_sourced_id() -> dict[str, set[str]]:
    """Active ids already stored, per OneRoster file, for checking references in a delta."""
    return {
        "orgs": set(Org.objects.filter(active=True).values_list("sourced_id", flat=True)),
        "academicSessions": set(
            AcademicSession.objects.filter(active=True).values_list("sourced_id", flat=True)
        ),
        "courses": set(Course.objects.filter(active=True).values_list("sourced_id", flat=True)),
        "classes": set(
            SchoolClass.objects.filter(active=True).values_list("sourced_id", flat=True)
        ),
        "users": set(Person.objects.filter(active=True).values_list("sourced_id", flat=True)),
    }


def load_roster(path: Path) -> RosterSet:
    """Read and check a roster against what is stored; raise RosterError listing every problem."""
    roster = read_roster(open_source(path))
    if roster.version == "1.1" and "users" in roster.records:
        roster.records["roles"] = list(_roles_from_users(roster.records["users"]))
        roster.modes["roles"] = roster.modes["users"]
    problems = check_references(roster, storedids_by_sourced_id())
    problems += _check_roles(roster)
    if problems:
        raise RosterError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return roster


def _roles_from_users(users: Iterable[rec.Record]) -> Iterable[rec.Role]:
    """OneRoster 1.1 puts one role and several orgs on the user: one role per org."""
    for user in users:
        assert isinstance(user, rec.User)
        for index, org in enumerate(user.orgs):
            yield rec.Role(
                user.line,
                f"{user.sourced_id}@{org}",
                user.deleted,
                user.modified,
                user=user.sourced_id,
                role_type="primary" if index == 0 else "secondary",
                role=user.role,
                org=org,
            )


def _check_roles(roster: RosterSet) -> list[Problem]:
    """Every new person needs a role (1.2: a row in roles.csv), or schoolgate cannot place them."""
    if roster.version != "1.2" or "users" not in roster.records:
        return []
    with_role = {r.user for r in roster.records.get("roles", []) if not r.deleted}  # type: ignore[attr-defined]
    stored = set(
        PersonRole.objects.filter(active=True).values_list("person__sourced_id", flat=True)
    )
    return [
        Problem("users.csv", u.line, f"{u.sourced_id!r} has no role in roles.csv")
        for u in roster.records["users"]
        if not u.deleted and u.sourced_id not in with_role and u.sourced_id not in stored
    ]


class _Import:
    def __init__(self, roster: RosterSet, progress: Progress) -> None:
        self.roster = roster
        self.progress = progress
        self.result = ImportResult(roster.source, roster.version, dict(roster.modes))

    def run(self) -> ImportResult:
        r = self.roster.records
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            self.result.phases[name] = round(now - clock, 3)
            clock = now

        self.orgs = ids_by_sourced_id(Org)
        if "orgs" in r:
            self._orgs(r["orgs"])
        lap("orgs")
        self.sessions = ids_by_sourced_id(AcademicSession)
        if "academicSessions" in r:
            self._sessions(r["academicSessions"])
        lap("academicSessions")
        self.courses = ids_by_sourced_id(Course)
        if "courses" in r:
            self._courses(r["courses"])
        lap("courses")
        self.classes = ids_by_sourced_id(SchoolClass)
        if "classes" in r:
            self._classes(r["classes"])
        lap("classes")
        self.people = ids_by_sourced_id(Person)
        if "users" in r:
            self._users(r["users"])
        lap("users")
        if "roles" in r:
            self._roles(r["roles"])
        lap("roles")
        if "roles" in r and "users" not in r:
            self._primary_roles()  # roles changed for people this import does not list
        if "users" in r:
            self._guardians(r["users"])
            lap("guardian links")
        if "enrollments" in r:
            self._enrollments(r["enrollments"])
        lap("enrollments")
        return self.result

    def _write(
        self,
        entity: str,
        model: type[models.Model],
        values: Callable[[Any], dict[str, Any]],
        fields: list[str],
        track: bool = False,
    ) -> list[int]:
        counts, touched = Writer(model, self.progress, entity).apply(
            self.roster.records[entity],
            self.roster.modes[entity],
            values,
            fields,
            Q(source="roster"),
            track,
        )
        self.result.counts[entity] = counts
        return touched

    def _parents(self, model: type[models.Model], found: list[Any]) -> dict[str, int]:
        """Second pass for self-references (a parent may come later in the file)."""
        ids = ids_by_sourced_id(model)
        manager: Any = model._default_manager
        current = dict(manager.values_list("pk", "parent_id"))
        for record in found:
            if record.deleted:
                continue
            pk = ids[record.sourced_id]
            parent = ids.get(record.parent) if record.parent else None
            if current.get(pk) != parent:
                manager.filter(pk=pk).update(parent_id=parent)
        return ids

    def _orgs(self, found: list[Any]) -> None:
        def values(o: rec.Org) -> dict[str, Any]:
            return {"name": o.name, "type": o.type, "identifier": o.identifier, "_parent": o.parent}

        self._write("orgs", Org, values, ["name", "type", "identifier"])
        self.orgs = self._parents(Org, found)

    def _sessions(self, found: list[Any]) -> None:
        def values(s: rec.Session) -> dict[str, Any]:
            return {
                "title": s.title,
                "type": s.type,
                "start_date": s.start,
                "end_date": s.end,
                "school_year": s.school_year,
                "_parent": s.parent,
            }

        self._write(
            "academicSessions",
            AcademicSession,
            values,
            ["title", "type", "start_date", "end_date", "school_year"],
        )
        self.sessions = self._parents(AcademicSession, found)

    def _courses(self, found: list[Any]) -> None:
        def values(c: rec.Course) -> dict[str, Any]:
            return {
                "title": c.title,
                "code": c.code,
                "school_year_id": self.sessions.get(c.school_year) if c.school_year else None,
                "org_id": self.orgs[c.org],
                "grades": ",".join(c.grades),
                "subjects": c.subjects,
            }

        self._write(
            "courses",
            Course,
            values,
            ["title", "code", "school_year_id", "org_id", "grades", "subjects"],
        )
        self.courses = ids_by_sourced_id(Course)

    def _classes(self, found: list[Any]) -> None:
        terms: dict[str, list[int]] = {}

        def values(c: rec.Class) -> dict[str, Any]:
            terms[c.sourced_id] = [self.sessions[t] for t in c.terms]
            return {
                "title": c.title,
                "code": c.code,
                "class_type": c.class_type,
                "course_id": self.courses[c.course],
                "school_id": self.orgs[c.school],
                "grades": ",".join(c.grades),
                "subjects": c.subjects,
                "location": c.location,
                "periods": c.periods,
                "_terms": tuple(terms[c.sourced_id]),
            }

        fields = [
            "title",
            "code",
            "class_type",
            "course_id",
            "school_id",
            "grades",
            "subjects",
            "location",
            "periods",
        ]
        touched = self._write("classes", SchoolClass, values, fields, track=True)
        self.classes = ids_by_sourced_id(SchoolClass)
        through: Any = SchoolClass.terms.through
        by_pk = {self.classes[sid]: t for sid, t in terms.items()}
        changed = [pk for pk in touched if pk in by_pk]
        for start in range(0, len(changed), BATCH):
            chunk = changed[start : start + BATCH]
            through.objects.filter(schoolclass_id__in=chunk).delete()
            through.objects.bulk_create(
                [
                    through(schoolclass_id=pk, academicsession_id=t)
                    for pk in chunk
                    for t in by_pk[pk]
                ],
                batch_size=BATCH,
            )

    def _role_of(self) -> dict[str, str]:
        """user → schoolgate role of their primary role in this import, else as stored."""
        out = dict(Person.objects.values_list("sourced_id", "role").iterator(chunk_size=20000))
        chosen: dict[str, tuple[bool, int]] = {}
        for index, r in enumerate(self.roster.records.get("roles", [])):
            role = ROLES.get(r.role, "")  # type: ignore[attr-defined]
            if r.deleted or not role:
                continue
            rank = (r.role_type != "primary", index)  # type: ignore[attr-defined]
            user = r.user  # type: ignore[attr-defined]
            if user not in chosen or rank < chosen[user]:
                chosen[user], out[user] = rank, role
        return out

    def _users(self, found: list[Any]) -> None:
        role_of = self._role_of()

        def values(u: rec.User) -> dict[str, Any]:
            row: dict[str, Any] = {
                "role": role_of.get(u.sourced_id, ""),
                "username": u.username,
                "given_name": u.given_name,
                "family_name": u.family_name,
                "middle_name": u.middle_name,
                "preferred_given_name": u.preferred_given_name,
                "identifier": u.identifier,
                "email": u.email,
                "enabled": u.enabled,
                "grade": u.grades[0] if u.grades else "",
                "grades": ",".join(u.grades),
                "primary_org_id": self.orgs.get(u.primary_org or (u.orgs[0] if u.orgs else "")),
            }
            return row

        fields = [
            "role",
            "username",
            "given_name",
            "family_name",
            "middle_name",
            "preferred_given_name",
            "identifier",
            "email",
            "enabled",
            "grade",
            "grades",
            "primary_org_id",
        ]
        self._write("users", Person, values, fields)
        self.people = ids_by_sourced_id(Person)

    def _roles(self, found: list[Any]) -> None:
        def values(r: rec.Role) -> dict[str, Any]:
            return {
                "person_id": self.people[r.user],
                "role": ROLES.get(r.role, ""),
                "oneroster_role": r.role,
                "org_id": self.orgs.get(r.org),
                "primary": r.role_type == "primary",
                "begin_date": r.begin,
                "end_date": r.end,
                "source": "roster",
            }

        fields = [
            "person_id",
            "role",
            "oneroster_role",
            "org_id",
            "primary",
            "begin_date",
            "end_date",
        ]
        self._write("roles", PersonRole, values, fields)

    def _primary_roles(self) -> None:
        """Person.role = the schoolgate role of their primary active role, for quick queries."""
        first: dict[int, str] = {}
        rows = (
            PersonRole.objects.filter(active=True)
            .exclude(role="")
            .order_by("-primary", "id")
            .values_list("person_id", "role")
        )
        for person_id, role in rows.iterator(chunk_size=20000):
            first.setdefault(person_id, role)
        current = Person.objects.values_list("pk", "role").iterator(chunk_size=20000)
        stale = [(role, pk) for pk, old in current if (role := first.get(pk)) and role != old]
        table = connection.ops.quote_name(Person._meta.db_table)
        with connection.cursor() as cursor:
            update = f"UPDATE {table} SET role = %s WHERE id = %s"  # noqa: S608 - model names
            cursor.executemany(update, stale)

    def _guardians(self, found: list[Any]) -> None:
        roles = dict(Person.objects.values_list("sourced_id", "role").iterator(chunk_size=20000))
        in_file = {self.people[u.sourced_id] for u in found}
        wanted: set[tuple[int, int]] = set()
        for user in found:
            if user.deleted:
                continue
            me, my_role = self.people[user.sourced_id], roles.get(user.sourced_id)
            for agent in user.agents:
                their_role = roles.get(agent)
                if my_role == "student" and their_role == "guardian":
                    wanted.add((self.people[agent], me))
                elif my_role == "guardian" and their_role == "student":
                    wanted.add((me, self.people[agent]))
        existing = {
            (g, s): (pk, active)
            for pk, g, s, active in GuardianLink.objects.filter(source="roster").values_list(
                "pk", "guardian_id", "student_id", "active"
            )
        }
        create = [{"guardian_id": g, "student_id": s} for g, s in wanted - existing.keys()]
        Table(GuardianLink).insert(create)
        revive = [existing[k][0] for k in wanted & existing.keys() if not existing[k][1]]
        drop = [
            pk
            for (g, s), (pk, active) in existing.items()
            if active and (g, s) not in wanted and (g in in_file or s in in_file)
        ]
        for ids, active in ((revive, True), (drop, False)):
            for start in range(0, len(ids), BATCH):
                GuardianLink.objects.filter(pk__in=ids[start : start + BATCH]).update(active=active)
        self.result.counts["guardian links"] = Counts(
            created=len(create),
            updated=len(revive),
            deactivated=len(drop),
            unchanged=len(wanted) - len(create) - len(revive),
        )

    def _enrollments(self, found: list[Any]) -> None:
        def values(e: rec.Enrollment) -> dict[str, Any]:
            return {
                "school_class_id": self.classes[e.school_class],
                "person_id": self.people[e.user],
                "school_id": self.orgs[e.school],
                "role": e.role,
                "primary": e.primary,
                "begin_date": e.begin,
                "end_date": e.end,
            }

        self._write(
            "enrollments",
            Enrollment,
            values,
            [
                "school_class_id",
                "person_id",
                "school_id",
                "role",
                "primary",
                "begin_date",
                "end_date",
            ],
        )


def write_roster(roster: RosterSet, progress: Progress | None = None) -> ImportResult:
    """Write a checked roster in one transaction (all or nothing) and mark a snapshot due."""
    from schoolgate.control.publication.services import mark_changed

    started = timezone.now()
    progress = progress or (lambda _label, _n: None)
    with transaction.atomic():
        result = _Import(roster, progress).run()
        clock = time.perf_counter()
        RosterImport.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            source_name=roster.source,
            version=roster.version,
            modes=roster.modes,
            counts={k: v.as_dict() for k, v in result.counts.items()},
        )
        mark_changed("roster import")
    result.phases["commit"] = round(time.perf_counter() - clock, 3)
    result.seconds = (timezone.now() - started).total_seconds()
    log.info("roster import %s: %d rows", roster.version, roster.rows())
    return result


def import_roster(path: Path, progress: Progress | None = None) -> ImportResult:
    """Check and write the roster at `path`; raise RosterError (nothing stored) on any problem."""
    started = timezone.now()
    clock = time.perf_counter()
    roster = load_roster(path)
    checked = round(time.perf_counter() - clock, 3)
    result = write_roster(roster, progress)
    result.phases = {"read and check": checked, **result.phases}
    result.seconds = (timezone.now() - started).total_seconds()
    return result
