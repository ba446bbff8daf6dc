# mypy: disallow-untyped-decorators=False, disallow-subclassing-any=False
# (Django ships no type information: its decorators and base classes are untyped to mypy.)
"""Incidents: the list and one incident's record with its history, opening one for a person,
and what follows — assigning, resolving, suspending the person.

Who reads them is `access.scope.visible_incidents` (principals their schools', administrators
and technology managers all; teachers, guardians and students none: they are conduct records).
Every page that shows an incident about a person logs the view of that person first (FERPA,
34 CFR 99.32); the conduct service does the work, with its own history row per change."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import may, viewer, visible_incidents
from schoolgate.control.conduct.models import STATUSES, Incident
from schoolgate.control.conduct.services import (
    ConductError,
    assign_incident,
    open_incident,
    resolve_incident,
    suspend,
)
from schoolgate.control.console.forms import SuspendForm
from schoolgate.control.console.http import person_or_404
from schoolgate.control.console.publish import republish
from schoolgate.engine.vocabulary import SEVERITIES

PAGE_SIZE = 50
SHOWN = {"open": ["open", "assigned"], "all": [s for s, _ in STATUSES]}
SHOWN.update({s: [s] for s, _ in STATUSES})


class IncidentForm(forms.Form):
    summary = forms.CharField(
        label="What happened",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Facts, not opinions: this is part of the student's education record.",
    )
    severity = forms.ChoiceField(
        label="Severity", choices=[(s, s) for s in SEVERITIES], initial="medium"
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="How it was resolved", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _may_handle(request: HttpRequest) -> None:
    if not may(request.user, "handle-incidents"):
        raise PermissionDenied("incidents are handled by principals, administrators and IT")


def _incident_or_404(request: HttpRequest, pk: int) -> Incident:
    found: Incident | None = (
        visible_incidents(request.user)
        .select_related("subject", "subject__primary_org", "opened_by", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("no such incident")
    return found


def _log(request: HttpRequest, incidents: list[Incident]) -> None:
    subjects = {i.subject.pk: i.subject for i in incidents if i.subject is not None}
    record_views(
        request.user, subjects.values(), what="incidents", purpose="incident", path=request.path
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    _may_handle(request)
    status = request.GET.get("status", "open")
    if status not in SHOWN:
        status = "open"
    rows = (
        visible_incidents(request.user)
        .filter(status__in=SHOWN[status])
        .select_related("subject", "assigned_to")
        .order_by("-opened_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _log(request, list(page))
    context = {"page": page, "status": status, "statuses": ["open", *[s for s, _ in STATUSES]]}
    return render(request, "console/incidents.html", context)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may_handle(request)
    incident = _incident_or_404(request, pk)
    _log(request, [incident])
    decision = incident.decision or {}
    context = {
        "incident": incident,
        "history": incident.history.select_related("actor"),
        "sanctions": incident.sanctions.order_by("-starts_at"),
        "decision": decision,
        "resolve_form": ResolveForm() if incident.status != "resolved" else None,
        "suspend_form": (
            SuspendForm() if incident.subject is not None and may(request.user, "suspend") else None
        ),
        "done": request.GET.get("done", ""),
    }
    return render(request, "console/incident.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    """Open an incident about a person the user may see (by id, from their record page)."""
    _may_handle(request)
    sourced_id = (request.POST.get("person") or request.GET.get("person") or "").strip()[:255]
    subject = person_or_404(request, sourced_id, "incident") if sourced_id else None
    if subject is None:
        raise Http404("open an incident from the person's record")
    form = IncidentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            incident = open_incident(
                form.cleaned_data["summary"],
                subject=subject,
                opened_by=viewer(request.user).person,
                severity=form.cleaned_data["severity"],
            )
            return redirect("console:incident", pk=incident.pk)
        status = 400
    return render(
        request, "console/incident_new.html", {"subject": subject, "form": form}, status=status
    )


@login_required
@require_POST
def incident_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the incident on: it is assigned to the signed-in person."""
    _may_handle(request)
    incident = _incident_or_404(request, pk)
    me = viewer(request.user).person
    if me is None:
        raise PermissionDenied("no person record")
    try:
        assign_incident(incident, me, by=me)
    except ConductError as exc:
        return _refused(request, "Not assigned", str(exc))
    return redirect("console:incident", pk=incident.pk)


@login_required
@require_POST
def incident_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _may_handle(request)
    incident = _incident_or_404(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Not resolved", "Say how the incident was resolved.")
    try:
        resolve_incident(incident, form.cleaned_data["resolution"], by=viewer(request.user).person)
    except ConductError as exc:
        return _refused(request, "Not resolved", str(exc))
    return redirect("console:incident", pk=incident.pk)


@login_required
@require_POST
def incident_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend the incident's subject; the sanction names the incident it follows from."""
    if not may(request.user, "suspend"):
        raise PermissionDenied("only a principal or administrator suspends access")
    incident = _incident_or_404(request, pk)
    if incident.subject is None:
        raise Http404("this incident names nobody to suspend")
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Not suspended", "Choose a scope, a number of days and a reason.")
    now = timezone.now()
    try:
        suspend(
            incident.subject,
            scope=form.cleaned_data["scope"],
            reason=form.cleaned_data["reason"],
            decided_by=viewer(request.user).person,
            ends_at=now + dt.timedelta(days=form.cleaned_data["days"]),
            incident=incident,
            now=now,
        )
    except ConductError as exc:
        return _refused(request, "Not suspended", str(exc))
    done = "suspended" if republish() else "suspended-unpublished"
    return redirect(f"/incidents/{incident.pk}/?done={done}")


def _refused(request: HttpRequest, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message}
    return render(request, "console/message.html", context, status=400)
