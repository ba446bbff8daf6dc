"""Rows → typed records, checking every field: dates, enumerations, booleans, grades.

One function per file; each returns the records and appends problems that name file, line and
column. Values schoolgate has no use for (passwords, phone numbers, user ids of other systems)
are never copied out of the row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from schoolgate.control.people.oneroster.csvread import Row, Table
from schoolgate.control.people.oneroster.problems import Problem
from schoolgate.control.people.oneroster.schema import (
    CLASS_TYPES,
    ENROLLMENT_ROLES,
    GRADES,
    ORG_TYPES,
    ROLE_TYPES,
    ROLES,
    SESSION_TYPES,
    STATUSES,
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True)
class Record:
    line: int
    sourced_id: str
    deleted: bool  # status tobedeleted
    modified: dt.datetime | None


@dataclass(slots=True)
class Org(Record):
    name: str = ""
    type: str = ""
    identifier: str = ""
    parent: str = ""


@dataclass(slots=True)
class Session(Record):
    title: str = ""
    type: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    parent: str = ""
    school_year: str = ""


@dataclass(slots=True)
class Course(Record):
    title: str = ""
    code: str = ""
    school_year: str = ""
    org: str = ""
    grades: list[str] = field(default_factory=list)
    subjects: str = ""


@dataclass(slots=True)
class Class(Record):
    title: str = ""
    code: str = ""
    class_type: str = ""
    course: str = ""
    school: str = ""
    terms: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    subjects: str = ""
    location: str = ""
    periods: str = ""


@dataclass(slots=True)
class User(Record):
    enabled: bool = True
    username: str = ""
    given_name: str = ""
    family_name: str = ""
    middle_name: str = ""
    preferred_given_name: str = ""
    identifier: str = ""
    email: str = ""
    agents: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    # 1.1 carries the role and orgs on the user; 1.2 in roles.csv (primary_org is 1.2's hint).
    role: str = ""
    orgs: list[str] = field(default_factory=list)
    primary_org: str = ""


@dataclass(slots=True)
class Role(Record):
    user: str = ""
    role_type: str = "primary"
    role: str = ""
    org: str = ""
    begin: dt.date | None = None
    end: dt.date | None = None


@dataclass(slots=True)
class Enrollment(Record):
    school_class: str = ""
    school: str = ""
    user: str = ""
    role: str = ""
    primary: bool = False
    begin: dt.date | None = None
    end: dt.date | None = None


@lru_cache(maxsize=4096)
def _parse_date(value: str) -> dt.date | None:
    """Exports repeat the same few dates on every row: parse each once."""
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@lru_cache(maxsize=4096)
def _parse_datetime(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class Fields:
    """Typed access to one row's fields, recording a problem for each bad value."""

    __slots__ = ("file", "problems", "required", "row")

    def __init__(self, file: str, row: Row, problems: list[Problem], required: bool) -> None:
        self.file = file
        self.row = row
        self.problems = problems
        self.required = required  # False for a tobedeleted row: only its id matters

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.row.line, message, column))

    def text(self, column: str, required: bool = False) -> str:
        value = self.row.values[column]
        if not value and required and self.required:
            self.bad(column, "is required")
        return value

    def many(self, column: str, required: bool = False) -> list[str]:
        value = self.text(column, required)
        return [v.strip() for v in value.split(",") if v.strip()] if value else []

    def choice(self, column: str, allowed: frozenset[str], required: bool = True) -> str:
        value = self.text(column, required)
        if value and value not in allowed and not value.startswith("ext:"):
            self.bad(column, f"{value!r} is not one of {', '.join(sorted(allowed))}")
        return value

    def date(self, column: str, required: bool = False) -> dt.date | None:
        value = self.text(column, required)
        if not value:
            return None
        parsed = _parse_date(value)
        if parsed is None:
            self.bad(column, f"{value!r} is not a date (YYYY-MM-DD)")
        return parsed

    def datetime(self, column: str) -> dt.datetime | None:
        value = self.text(column)
        if not value:
            return None
        parsed = _parse_datetime(value)
        if parsed is None:
            self.bad(column, f"{value!r} is not a date-time (ISO 8601, e.g. 2026-08-01T12:00:00Z)")
        return parsed

    def boolean(self, column: str, default: bool) -> bool:
        value = self.text(column).lower()
        if not value:
            return default
        if value in ("true", "false"):
            return value == "true"
        self.bad(column, f"{self.row.values[column]!r} is not true or false")
        return default

    def grades(self, column: str) -> list[str]:
        out = []
        for value in self.many(column):
            grade = GRADES.get(value)
            if grade is None and not value.startswith("ext:"):
                self.bad(column, f"{value!r} is not a CEDS grade level (KG, 01 … 13, PK, …)")
            else:
                out.append(grade or value)
        return out


def _base(
    file: str, row: Row, problems: list[Problem]
) -> tuple[Fields, str, bool, dt.datetime | None]:
    sid = row.values["sourcedId"]
    status = row.values["status"]
    deleted = status == "tobedeleted"
    fields = Fields(file, row, problems, not deleted)
    if not sid:
        fields.bad("sourcedId", "is required")
    if status and status not in STATUSES:
        fields.bad("status", f"{status!r} is not active or tobedeleted")
    modified = fields.datetime("dateLastModified")
    return fields, sid, deleted, modified


def orgs(table: Table, problems: list[Problem]) -> list[Org]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        out.append(
            Org(
                row.line,
                sid,
                deleted,
                modified,
                name=f.text("name", True),
                type=f.choice("type", ORG_TYPES),
                identifier=f.text("identifier"),
                parent=f.text("parentSourcedId"),
            )
        )
    return out


def sessions(table: Table, problems: list[Problem]) -> list[Session]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        record = Session(
            row.line,
            sid,
            deleted,
            modified,
            title=f.text("title", True),
            type=f.choice("type", SESSION_TYPES),
            start=f.date("startDate", True),
            end=f.date("endDate", True),
            parent=f.text("parentSourcedId"),
            school_year=f.text("schoolYear", True),
        )
        if record.start and record.end and record.end < record.start:
            f.bad("endDate", f"{record.end} is before startDate {record.start}")
        if record.school_year and not re.fullmatch(r"\d{4}", record.school_year):
            f.bad("schoolYear", f"{record.school_year!r} is not a year (YYYY)")
        out.append(record)
    return out


def courses(table: Table, problems: list[Problem]) -> list[Course]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        out.append(
            Course(
                row.line,
                sid,
                deleted,
                modified,
                title=f.text("title", True),
                code=f.text("courseCode"),
                school_year=f.text("schoolYearSourcedId"),
                org=f.text("orgSourcedId", True),
                grades=f.grades("grades"),
                subjects=f.text("subjects"),
            )
        )
    return out


def classes(table: Table, problems: list[Problem]) -> list[Class]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        out.append(
            Class(
                row.line,
                sid,
                deleted,
                modified,
                title=f.text("title", True),
                code=f.text("classCode"),
                class_type=f.choice("classType", CLASS_TYPES),
                course=f.text("courseSourcedId", True),
                school=f.text("schoolSourcedId", True),
                terms=f.many("termSourcedIds", True),
                grades=f.grades("grades"),
                subjects=f.text("subjects"),
                location=f.text("location"),
                periods=f.text("periods"),
            )
        )
    return out


def users(table: Table, problems: list[Problem], version: str) -> list[User]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        record = User(
            row.line,
            sid,
            deleted,
            modified,
            enabled=f.boolean("enabledUser", True),
            username=f.text("username", True),
            given_name=f.text("givenName", True),
            family_name=f.text("familyName", True),
            middle_name=f.text("middleName"),
            identifier=f.text("identifier"),
            email=f.text("email"),
            agents=f.many("agentSourcedIds"),
            grades=f.grades("grades"),
        )
        if version == "1.1":
            record.role = f.choice("role", frozenset(ROLES))
            record.orgs = f.many("orgSourcedIds", True)
        else:
            record.primary_org = f.text("primaryOrgSourcedId")
            record.preferred_given_name = f.text("preferredGivenName")
        if record.email and "@" not in record.email:
            f.bad("email", f"{record.email!r} is not an e-mail address")
        out.append(record)
    return out


def roles(table: Table, problems: list[Problem]) -> list[Role]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        record = Role(
            row.line,
            sid,
            deleted,
            modified,
            user=f.text("userSourcedId", True),
            role_type=f.choice("roleType", ROLE_TYPES),
            role=f.choice("role", frozenset(ROLES)),
            org=f.text("orgSourcedId", True),
            begin=f.date("beginDate"),
            end=f.date("endDate"),
        )
        if record.begin and record.end and record.end < record.begin:
            f.bad("endDate", f"{record.end} is before beginDate {record.begin}")
        out.append(record)
    return out


def enrollments(table: Table, problems: list[Problem]) -> list[Enrollment]:
    out = []
    for row in table.rows:
        f, sid, deleted, modified = _base(table.file, row, problems)
        record = Enrollment(
            row.line,
            sid,
            deleted,
            modified,
            school_class=f.text("classSourcedId", True),
            school=f.text("schoolSourcedId", True),
            user=f.text("userSourcedId", True),
            role=f.choice("role", ENROLLMENT_ROLES),
            primary=f.boolean("primary", False),
            begin=f.date("beginDate"),
            end=f.date("endDate"),
        )
        if record.begin and record.end and record.end < record.begin:
            f.bad("endDate", f"{record.end} is before beginDate {record.begin}")
        out.append(record)
    return out


READERS: dict[str, Callable[..., Sequence[Record]]] = {
    "orgs": orgs,
    "academicSessions": sessions,
    "courses": courses,
    "classes": classes,
    "users": users,
    "roles": roles,
    "enrollments": enrollments,
}
