# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""Sanctions: the active ones among the people a user may see, and a principal's suspension,
which the conduct service records and the snapshot then carries to every enforcement point."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import may, viewer, visible_people
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.conduct.services import ConductError, active, lift, suspend
from schoolgate.control.console.forms import LiftForm, SuspendForm
from schoolgate.control.console.http import person_or_404
from schoolgate.control.console.publish import republish


@login_required
def sanction_list(request: HttpRequest) -> HttpResponse:
    visible = visible_people(request.user, "sanction")
    rows = list(
        active(timezone.now())
        .filter(person__in=visible)
        .select_related("person")
        .order_by("-starts_at")[:200]
    )
    subjects = {s.person.pk: s.person for s in rows}.values()
    record_views(request.user, subjects, what="sanctions", purpose="sanction", path=request.path)
    context = {"sanctions": rows, "lift_form": LiftForm() if may(request.user, "suspend") else None}
    return render(request, "console/sanctions.html", context)


@login_required
@require_POST
def suspend_view(request: HttpRequest, sourced_id: str) -> HttpResponse:
    if not may(request.user, "suspend"):
        raise PermissionDenied("only a principal or administrator suspends access")
    person = person_or_404(request, sourced_id, "sanction")
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "console/message.html",
            {"title": "Not suspended", "message": "Choose a scope, a number of days and a reason."},
            status=400,
        )
    now = timezone.now()
    try:
        suspend(
            person,
            scope=form.cleaned_data["scope"],
            reason=form.cleaned_data["reason"],
            decided_by=viewer(request.user).person,
            ends_at=now + dt.timedelta(days=form.cleaned_data["days"]),
            now=now,
        )
    except ConductError as exc:
        context = {"title": "Not suspended", "message": str(exc)}
        return render(request, "console/message.html", context, status=400)
    done = "suspended" if republish() else "suspended-unpublished"
    return redirect(f"/people/{person.sourced_id}/?done={done}")


@login_required
@require_POST
def lift_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End a sanction early (it stays in the history with who and why)."""
    if not may(request.user, "suspend"):
        raise PermissionDenied("only a principal or administrator lifts a sanction")
    visible = visible_people(request.user, "sanction")
    sanction = Sanction.objects.filter(pk=pk, person__in=visible).first()
    if sanction is None:
        raise Http404("no such sanction")
    form = LiftForm(request.POST)
    me = viewer(request.user).person
    if not form.is_valid() or me is None:
        context = {"title": "Not lifted", "message": "Say why the sanction is lifted."}
        return render(request, "console/message.html", context, status=400)
    try:
        lift(sanction, by=me.display_name, reason=form.cleaned_data["reason"])
    except ConductError as exc:
        context = {"title": "Not lifted", "message": str(exc)}
        return render(request, "console/message.html", context, status=400)
    republish()
    return redirect("console:sanctions")
