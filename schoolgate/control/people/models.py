# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes are Any to mypy.)
"""People and structure. Roster rows keep their OneRoster `sourced_id` and a `row_hash` so a
re-import writes only what changed; nothing imported is ever deleted, only deactivated."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

# The roles schoolgate's records know; packs map them to their own (a teacher is a kind of staff).
ROLES = (
    "student",
    "teacher",
    "aide",
    "counselor",
    "principal",
    "administrator",
    "technology-manager",
    "hr",
    "guardian",
    "volunteer",
)
STAFF_ROLES = frozenset(ROLES) - {"student", "guardian", "volunteer"}
ROLE_CHOICES = [(r, r) for r in ROLES]
SOURCES = [("roster", "OneRoster import"), ("local", "entered in schoolgate")]


class Rostered(models.Model):
    sourced_id = models.CharField(max_length=255, unique=True)
    active = models.BooleanField(default=True, db_index=True)
    source = models.CharField(max_length=8, choices=SOURCES, default="roster")
    row_hash = models.CharField(max_length=32, blank=True, editable=False)
    modified = models.DateTimeField(null=True, blank=True, help_text="dateLastModified")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Org(Rostered):
    """A district, school or other organisation. `group` names the pack group its people join."""

    name = models.CharField(max_length=255)
    type = models.CharField(max_length=32)
    identifier = models.CharField(max_length=255, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    group = models.CharField(max_length=80, blank=True, help_text="A group id of the policy pack.")

    def __str__(self) -> str:
        return self.name


class AcademicSession(Rostered):
    title = models.CharField(max_length=255)
    type = models.CharField(max_length=32)
    start_date = models.DateField()
    end_date = models.DateField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    school_year = models.CharField(max_length=4)

    def __str__(self) -> str:
        return self.title


class Course(Rostered):
    title = models.CharField(max_length=255)
    code = models.CharField(max_length=255, blank=True)
    school_year = models.ForeignKey(
        AcademicSession, null=True, blank=True, on_delete=models.SET_NULL
    )
    org = models.ForeignKey(Org, on_delete=models.PROTECT)
    grades = models.CharField(max_length=255, blank=True)
    subjects = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.title


class SchoolClass(Rostered):
    """A class (section): a course taught to students in a school during terms."""

    title = models.CharField(max_length=255)
    code = models.CharField(max_length=255, blank=True)
    class_type = models.CharField(max_length=32)
    course = models.ForeignKey(Course, on_delete=models.PROTECT)
    school = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="classes")
    terms = models.ManyToManyField(AcademicSession, blank=True, related_name="classes")
    grades = models.CharField(max_length=255, blank=True)
    subjects = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=255, blank=True)
    periods = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return self.title


class Person(Rostered):
    """A student, employee or guardian. `sourced_id` is the id snapshots and logs use: opaque,
    so enforcement logs carry no names."""

    username = models.CharField(max_length=255, blank=True, db_index=True)
    given_name = models.CharField(max_length=255)
    family_name = models.CharField(max_length=255)
    middle_name = models.CharField(max_length=255, blank=True)
    preferred_given_name = models.CharField(max_length=255, blank=True)
    identifier = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True)
    role = models.CharField(max_length=32, choices=ROLE_CHOICES, db_index=True)
    grade = models.CharField(max_length=8, blank=True, db_index=True)
    grades = models.CharField(max_length=255, blank=True)
    primary_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_people"
    )

    class Meta:
        verbose_name_plural = "people"
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["role", "active"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role})"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_given_name or self.given_name} {self.family_name}"

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


class PersonRole(models.Model):
    """A role a person holds at an org: from the roster (1.2 roles.csv, 1.1's role column) or
    given in schoolgate (hr, technology-manager), which a roster import never touches."""

    sourced_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    oneroster_role = models.CharField(max_length=64, blank=True)
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT)
    primary = models.BooleanField(default=True)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=SOURCES, default="roster")
    active = models.BooleanField(default=True)
    row_hash = models.CharField(max_length=32, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.role} at {self.org_id}"


class GuardianLink(models.Model):
    """guardian → student, from OneRoster `agentSourcedIds` or entered by hand."""

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="wards")
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardians")
    source = models.CharField(max_length=8, choices=SOURCES, default="roster")
    active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["guardian", "student"], name="unique_guardian_link")
        ]


class Enrollment(Rostered):
    """person → class, with the role they have in it (teacher → class → student)."""

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrollments"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrollments")
    school = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    primary = models.BooleanField(default=False)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)


class RosterImport(models.Model):
    """One run of `schoolgate roster import`: what it read and what it changed (counts only)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    source_name = models.CharField(max_length=255)
    version = models.CharField(max_length=8)
    modes = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering: ClassVar[list[str]] = ["-started_at"]
