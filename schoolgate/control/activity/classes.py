# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""A class's filter activity for the console's class pages: blocks by category for the class
and per student, and the students' bypass attempts, over the last 7 days (UTC days, as the
rollup keeps them).

No scoping is decided here. The caller opens the class through `access.scope.visible_classes`
and passes the people it may see (`visible_people(user, "activity")`); `class_students` only
intersects the class's enrollments with them, so the scoping layer stays the one authority on
whom a page names, and every count below is over those students alone.

Why the rollup and the partial index: at a million events, grouping a week of raw events per
student and category costs seconds, while `DailyBlocks` holds a few rows per student and day.
Its "everyone" (-1) and "no known person" (0) rows are sums over people the viewer may not see;
they are never read here — the rows asked for are those of the students' own primary keys.
Bypass attempts are few, and the events' partial index on bypass (`activity_bypass_time`) or the
per-person index finds them within the week without reading the week's other events.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.db.models import Count, Q, QuerySet, Sum

from schoolgate.control.activity.models import DailyBlocks, FilterEvent
from schoolgate.control.people.models import Enrollment, Person, SchoolClass

WINDOW_DAYS: Final = 7
TOP_CATEGORIES: Final = 3
RECENT_BYPASS: Final = 20
TEACHING_ROLES: Final = ("teacher",)  # the enrollments a class page names as its teachers


@dataclass(frozen=True)
class Window:
    """The last `WINDOW_DAYS` UTC days up to and including `last`: the rollup's days, and the
    same span of event times (from the first day's midnight to the midnight after the last)."""

    first: dt.date
    last: dt.date

    @classmethod
    def ending(cls, today: dt.date, days: int = WINDOW_DAYS) -> Window:
        return cls(today - dt.timedelta(days=days - 1), today)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


@dataclass(frozen=True)
class StudentActivity:
    """One row of a class page: a student, their blocked requests (each counted once), their
    most blocked categories and their bypass attempts in the window."""

    person: Person
    blocks: int
    top_categories: tuple[tuple[str, int], ...]
    bypass_attempts: int


@dataclass(frozen=True)
class ClassActivity:
    """What a class page shows beside the class itself. `categories` counts a request listed in
    two categories in both; `blocks` counts each blocked request once."""

    window: Window
    blocks: int
    categories: tuple[tuple[str, int], ...]
    students: tuple[StudentActivity, ...]
    recent_bypass: tuple[FilterEvent, ...]

    @property
    def bypass_attempts(self) -> int:
        return sum(s.bypass_attempts for s in self.students)


def class_students(school_class: SchoolClass, people: QuerySet[Person]) -> QuerySet[Person]:
    """The class's students (active student enrollments) among `people`, the caller's scoped
    queryset: a student the viewer may not see is left out, however the class is enrolled."""
    enrolled = Enrollment.objects.filter(school_class=school_class, role="student", active=True)
    return people.filter(pk__in=enrolled.values("person_id")).order_by(
        "family_name", "given_name", "pk"
    )


def student_counts(classes: QuerySet[SchoolClass]) -> QuerySet[SchoolClass]:
    """`classes` annotated with `students`: their active students (a count, nobody named)."""
    current = Q(
        enrollments__role="student", enrollments__active=True, enrollments__person__active=True
    )
    return classes.annotate(students=Count("enrollments", filter=current, distinct=True))


def teachers_of(class_pks: Iterable[int]) -> dict[int, list[str]]:
    """class pk → the display names of its active teachers, in name order."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        Enrollment.objects.filter(
            school_class_id__in=list(class_pks),
            role__in=TEACHING_ROLES,
            active=True,
            person__active=True,
        )
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id")
    )
    for enrollment in rows:
        name = enrollment.person.display_name
        if name not in out[enrollment.school_class_id]:
            out[enrollment.school_class_id].append(name)
    return out


def _ranked(counts: Counter[str], n: int | None = None) -> tuple[tuple[str, int], ...]:
    """Most first, then by name, so equal counts keep one order on every page load."""
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n])


def class_activity(
    students: Sequence[Person], today: dt.date, *, recent: int = RECENT_BYPASS
) -> ClassActivity:
    """The window ending `today` for `students` (already scoped by the caller; see above)."""
    window = Window.ending(today)
    pks = [p.pk for p in students]
    blocks: Counter[int] = Counter()
    categories: dict[int, Counter[str]] = defaultdict(Counter)
    bypass: Counter[int] = Counter()
    recent_bypass: list[FilterEvent] = []
    if pks:
        # The students' own rows only: person pks are positive, EVERYONE and NOBODY are not.
        rows = (
            DailyBlocks.objects.filter(
                day__gte=window.first, day__lte=window.last, person_id__in=pks
            )
            .values_list("person_id", "category")
            .annotate(n=Sum("count"))
            .order_by()
        )
        for person_id, category, n in rows:
            if category == DailyBlocks.TOTAL:
                blocks[person_id] += n
            else:
                categories[person_id][category] += n
        attempts = FilterEvent.objects.filter(
            bypass=True, person_id__in=pks, time__gte=window.start, time__lt=window.end
        )
        counted = attempts.values_list("person_id").annotate(n=Count("id")).order_by()
        bypass.update(dict(counted))
        recent_bypass = list(attempts.select_related("person").order_by("-time", "-id")[:recent])
    whole_class: Counter[str] = Counter()
    for per_student in categories.values():
        whole_class.update(per_student)
    return ClassActivity(
        window=window,
        blocks=sum(blocks.values()),
        categories=_ranked(whole_class),
        students=tuple(
            StudentActivity(
                person=p,
                blocks=blocks[p.pk],
                top_categories=_ranked(categories[p.pk], TOP_CATEGORIES),
                bypass_attempts=bypass[p.pk],
            )
            for p in students
        ),
        recent_bypass=tuple(recent_bypass),
    )


__all__ = [
    "RECENT_BYPASS",
    "TOP_CATEGORIES",
    "WINDOW_DAYS",
    "ClassActivity",
    "StudentActivity",
    "Window",
    "class_activity",
    "class_students",
    "student_counts",
    "teachers_of",
]
