# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""The dashboard: counts over the people the user may see (counts only, so nothing to log)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from schoolgate.control.access.scope import visible_people
from schoolgate.control.agreements.progress import by_school
from schoolgate.control.agreements.services import acknowledgment_status, current_pack
from schoolgate.control.conduct.services import active
from schoolgate.control.console.views.activity import dashboard_widgets


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    visible = set(visible_people(request.user, "dashboard").values_list("pk", flat=True))
    status = acknowledgment_status(current_pack().pack, now)
    must = [pk for pk in status if pk in visible]
    context = {
        "required": len(must),
        "outstanding": sum(1 for pk in must if not status[pk]),
        "by_school": by_school(status, visible),
        "sanctions": active(now).filter(person_id__in=visible).count(),
        "visible": len(visible),
    }
    context.update(dashboard_widgets(request))
    return render(request, "console/dashboard.html", context)
