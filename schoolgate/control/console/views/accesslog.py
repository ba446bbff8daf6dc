# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""The record of access, for administrators: who viewed whose record, when and why."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schoolgate.control.access.log import entries
from schoolgate.control.access.scope import PURPOSES, may
from schoolgate.control.access.text import storable


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "review-access-log"):
        raise PermissionDenied("the access log is reviewed by administrators")
    rows = entries()
    subject = request.GET.get("person", "").strip()[:255]
    if subject:  # an id with a NUL byte is nobody's (and PostgreSQL refuses to compare one)
        rows = rows.filter(subject__sourced_id=subject) if storable(subject) else rows.none()
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"page": page, "person": subject, "purposes": PURPOSES}
    return render(request, "console/access_log.html", context)
