"""A seeded, synthetic district in OneRoster CSV: schools, sessions, courses, classes, students,
teachers, principals, aides, counselors, administrators and guardians (linked by `agents`).

Same seed, same files. Every name is drawn from short built-in lists, so no real person's data
is ever involved; `make run` and the benchmark load what this writes.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from schoolgate.control.people.oneroster.schema import HEADERS

GIVEN = [
    "Maya",
    "Jordan",
    "Ava",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Elijah",
    "Amara",
    "Mateo",
    "Sofia",
    "Lucas",
    "Aaliyah",
    "Ethan",
    "Chloe",
    "Diego",
    "Hana",
    "Isaac",
    "Jasmine",
    "Kai",
    "Leila",
    "Marcus",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zane",
    "Abigail",
    "Benjamin",
    "Camila",
    "Daniel",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Iris",
    "Jonah",
    "Keira",
    "Leo",
    "Mila",
    "Nathan",
    "Oscar",
    "Paige",
    "Rafael",
    "Sara",
    "Theo",
    "Valentina",
    "William",
    "Zoe",
    "Aria",
    "Caleb",
]
FAMILY = [
    "Rivera",
    "Okafor",
    "Nguyen",
    "Smith",
    "Johnson",
    "Garcia",
    "Patel",
    "Kim",
    "Cohen",
    "Murphy",
    "Rossi",
    "Haddad",
    "Novak",
    "Silva",
    "Kowalski",
    "Mensah",
    "Tanaka",
    "Dubois",
    "Larsen",
    "Ortiz",
    "Brennan",
    "Chen",
    "Adeyemi",
    "Fischer",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "OConnor",
    "Petrov",
    "Quinlan",
    "Reyes",
    "Schmidt",
    "Torres",
    "Ueda",
    "Vargas",
    "Walsh",
    "Yilmaz",
    "Zhang",
    "Abbott",
    "Baker",
    "Castillo",
    "Delgado",
    "Evans",
    "Flores",
    "Gomez",
    "Hernandez",
    "Ivanov",
]
SUBJECTS = (
    "Mathematics",
    "English Language Arts",
    "Science",
    "Social Studies",
    "Art",
    "Physical Education",
)
LEVELS = (
    ("Elementary", ["KG", "01", "02", "03", "04", "05"]),
    ("Middle", ["06", "07", "08"]),
    ("High", ["09", "10", "11", "12"]),
)
MODIFIED = "2026-08-15T12:00:00.000Z"
YEAR = "2027"
CLASS_SIZE = 25


@dataclass
class _User:
    sid: str
    role: str  # OneRoster 1.2 role
    given: str
    family: str
    username: str
    email: str
    org: str
    grades: str = ""
    agents: list[str] = field(default_factory=list)


@dataclass
class District:
    orgs: list[list[str]] = field(default_factory=list)
    sessions: list[list[str]] = field(default_factory=list)
    courses: list[list[str]] = field(default_factory=list)
    classes: list[list[str]] = field(default_factory=list)
    users: list[_User] = field(default_factory=list)
    enrollments: list[list[str]] = field(default_factory=list)


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: dict[str, int] = {}

    def person(self, family: str | None = None) -> tuple[str, str, str]:
        given = self.rng.choice(GIVEN)
        family = family or self.rng.choice(FAMILY)
        base = f"{given[0]}{family}".lower()
        n = self.taken.get(base, 0) + 1
        self.taken[base] = n
        return given, family, base if n == 1 else f"{base}{n}"


def build(students: int, seed: int) -> District:
    rng = random.Random(seed)
    names = _Names(rng)
    d = District()
    district = "org-district"
    d.orgs.append([district, "", MODIFIED, "Demo Unified School District", "district", "DUSD", ""])
    year = f"as-{YEAR}"
    d.sessions.append(
        [
            year,
            "",
            MODIFIED,
            f"{int(YEAR) - 1}-{YEAR}",
            "schoolYear",
            f"{int(YEAR) - 1}-08-25",
            f"{YEAR}-06-20",
            "",
            YEAR,
        ]
    )
    terms = [f"as-{YEAR}-fall", f"as-{YEAR}-spring"]
    d.sessions.append(
        [
            terms[0],
            "",
            MODIFIED,
            "Fall",
            "semester",
            f"{int(YEAR) - 1}-08-25",
            f"{int(YEAR) - 1}-12-22",
            year,
            YEAR,
        ]
    )
    d.sessions.append(
        [terms[1], "", MODIFIED, "Spring", "semester", f"{YEAR}-01-05", f"{YEAR}-06-20", year, YEAR]
    )

    def staff(role: str, org: str, domain: str = "staff") -> _User:
        given, family, username = names.person()
        user = _User(
            f"usr-{len(d.users) + 1:06d}",
            role,
            given,
            family,
            username,
            f"{username}@{domain}.demo-district.example",
            org,
        )
        d.users.append(user)
        return user

    for role in ("districtAdministrator", "districtAdministrator", "systemAdministrator"):
        staff(role, district)
    schools = max(3, round(students / 400))
    per_school = [
        students // schools + (1 if i < students % schools else 0) for i in range(schools)
    ]
    enrollment_id = 0
    for index in range(schools):
        level, grades = LEVELS[index % len(LEVELS)]
        school = f"org-school-{index + 1:03d}"
        d.orgs.append(
            [
                school,
                "",
                MODIFIED,
                f"{FAMILY[index % len(FAMILY)]} {level} School",
                "school",
                f"S{index + 1:03d}",
                district,
            ]
        )
        staff("principal", school)
        staff("counselor", school)
        kids: dict[str, list[_User]] = {g: [] for g in grades}
        for _ in range(per_school[index]):
            grade = rng.choice(grades)
            given, family, username = names.person()
            kid = _User(
                f"usr-{len(d.users) + 1:06d}",
                "student",
                given,
                family,
                username,
                f"{username}@students.demo-district.example",
                school,
                grade,
            )
            d.users.append(kid)
            kids[grade].append(kid)
            for _g in range(1 if rng.random() < 0.45 else 2):
                g_given, g_family, g_user = names.person(family)
                guardian = _User(
                    f"usr-{len(d.users) + 1:06d}",
                    "guardian",
                    g_given,
                    g_family,
                    g_user,
                    f"{g_user}@home.example",
                    school,
                    agents=[kid.sid],
                )
                d.users.append(guardian)
                kid.agents.append(guardian.sid)
        subjects = ("Homeroom",) if level == "Elementary" else SUBJECTS
        teachers: dict[str, list[_User]] = {}
        load: dict[str, int] = {}  # sections each teacher has
        for grade, members in kids.items():
            if not members:
                continue
            sections = math.ceil(len(members) / CLASS_SIZE)
            for subject in subjects:
                course = f"crs-{index + 1:03d}-{grade}-{subject[:4].lower()}"
                d.courses.append(
                    [
                        course,
                        "",
                        MODIFIED,
                        year,
                        f"{subject} {grade}",
                        f"{subject[:4].upper()}-{grade}",
                        grade,
                        school,
                        subject,
                        "",
                    ]
                )
                pool = teachers.setdefault(subject, [])
                for section in range(sections):
                    cls = f"{course}-{section + 1:02d}"
                    d.classes.append(
                        [
                            cls,
                            "",
                            MODIFIED,
                            f"{subject} {grade}-{section + 1}",
                            grade,
                            course,
                            f"{subject[:4].upper()}-{grade}-{section + 1}",
                            "homeroom" if subject == "Homeroom" else "scheduled",
                            f"Room {100 + section}",
                            school,
                            ",".join(terms),
                            subject,
                            "",
                            str(section % 7 + 1),
                        ]
                    )
                    if not pool or load[pool[-1].sid] >= 5:
                        pool.append(staff("teacher", school))
                        load[pool[-1].sid] = 0
                    teacher = pool[-1]
                    load[teacher.sid] += 1
                    enrollment_id += 1
                    d.enrollments.append(
                        [
                            f"enr-{enrollment_id:08d}",
                            "",
                            MODIFIED,
                            cls,
                            school,
                            teacher.sid,
                            "teacher",
                            "true",
                            "",
                            "",
                        ]
                    )
                    for kid in members[section::sections]:
                        enrollment_id += 1
                        d.enrollments.append(
                            [
                                f"enr-{enrollment_id:08d}",
                                "",
                                MODIFIED,
                                cls,
                                school,
                                kid.sid,
                                "student",
                                "false",
                                "",
                                "",
                            ]
                        )
        for _ in range(max(1, per_school[index] // 100)):
            staff("aide", school)
    return d


def _user_row(u: _User, version: str) -> list[str]:
    if version == "1.1":
        role = {
            "districtAdministrator": "administrator",
            "systemAdministrator": "administrator",
            "principal": "administrator",
            "counselor": "teacher",
        }.get(u.role, u.role)
        return [
            u.sid,
            "",
            MODIFIED,
            "true",
            u.org,
            role,
            u.username,
            "",
            u.given,
            u.family,
            "",
            u.sid.upper(),
            u.email,
            "",
            "",
            ",".join(u.agents),
            u.grades,
            "",
        ]
    return [
        u.sid,
        "",
        MODIFIED,
        "true",
        u.username,
        "",
        u.given,
        u.family,
        "",
        u.sid.upper(),
        u.email,
        "",
        "",
        ",".join(u.agents),
        u.grades,
        "",
        "",
        "",
        "",
        "",
        "",
        u.org,
        "",
    ]


def _write(path: Path, header: Iterable[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(list(header))
        writer.writerows(rows)


def write(directory: Path, students: int = 500, seed: int = 1, version: str = "1.2") -> District:
    """Write the district's OneRoster files (bulk) into `directory`."""
    district = build(students, seed)
    directory.mkdir(parents=True, exist_ok=True)
    headers = HEADERS[version]
    files = ["orgs", "academicSessions", "courses", "classes", "users", "enrollments"]
    if version == "1.2":
        files.insert(5, "roles")
    manifest = [["manifest.version", "1.0"], ["oneroster.version", version]]
    manifest += [
        [f"file.{f}", "bulk" if f in files else "absent"]
        for f in sorted(
            set(files)
            | {
                "demographics",
                "lineItems",
                "results",
                "categories",
                "classResources",
                "courseResources",
                "resources",
            }
        )
    ]
    manifest += [
        ["source.systemName", "schoolgate roster generate"],
        ["source.systemCode", f"seed-{seed}"],
    ]
    _write(directory / "manifest.csv", ["propertyName", "value"], manifest)
    _write(directory / "orgs.csv", headers["orgs"], district.orgs)
    _write(directory / "academicSessions.csv", headers["academicSessions"], district.sessions)
    _write(directory / "courses.csv", headers["courses"], district.courses)
    _write(directory / "classes.csv", headers["classes"], district.classes)
    _write(
        directory / "users.csv", headers["users"], (_user_row(u, version) for u in district.users)
    )
    if version == "1.2":
        _write(
            directory / "roles.csv",
            headers["roles"],
            (
                [f"rol-{u.sid}", "", MODIFIED, u.sid, "primary", u.role, "", "", u.org, ""]
                for u in district.users
            ),
        )
    _write(directory / "enrollments.csv", headers["enrollments"], district.enrollments)
    return district
