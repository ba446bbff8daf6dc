# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""The classes a teacher, principal or district role may open, and one class's filter activity
this week: blocks by category, a row per student, and the bypass attempts.

Classes come only from `access.scope.visible_classes` (a class one may not open answers 404, as
an absent one); the students a class page names only from `visible_people(user, "activity")`,
and each of them is written to the access log before the page is rendered (FERPA, 34 CFR
99.32). The counting is `activity.classes`; nothing here reads events or the rollup itself."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import may, visible_classes, visible_people
from schoolgate.control.access.text import storable
from schoolgate.control.activity.classes import (
    class_activity,
    class_students,
    student_counts,
    teachers_of,
)
from schoolgate.control.activity.scope import PURPOSE

PAGE_SIZE = 50


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "see-classes"):
        raise PermissionDenied("classes are for their teachers, principals and district staff")
    query = request.GET.get("q", "").strip()[:100]
    classes = visible_classes(request.user)
    if not storable(query):  # no title holds a NUL byte (and PostgreSQL refuses to compare one)
        classes = classes.none()
    elif query:
        classes = classes.filter(title__icontains=query)
    classes = student_counts(classes.select_related("school")).order_by("title", "pk")
    page = Paginator(classes, PAGE_SIZE).get_page(request.GET.get("page"))
    teachers = teachers_of(c.pk for c in page)
    rows = [{"school_class": c, "teachers": teachers.get(c.pk, [])} for c in page]
    return render(request, "console/classes.html", {"rows": rows, "page": page, "q": query})


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = visible_classes(request.user).select_related("school").filter(pk=pk).first()
    if school_class is None:
        raise Http404("no such class")
    students = list(class_students(school_class, visible_people(request.user, PURPOSE)))
    record_views(request.user, students, what="class-activity", purpose=PURPOSE, path=request.path)
    context = {
        "school_class": school_class,
        "teachers": teachers_of([school_class.pk]).get(school_class.pk, []),
        "activity": class_activity(students, timezone.now().date()),
    }
    return render(request, "console/class.html", context)
