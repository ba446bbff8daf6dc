# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""The guardian consent page: per consent the pack lists, what is in force and a form to give
or withdraw it, recorded by the consents service with its evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import viewer
from schoolgate.control.agreements.services import current_pack
from schoolgate.control.consents.services import ConsentError, current, record
from schoolgate.control.consents.services import state as consent_state
from schoolgate.control.console.forms import ConsentForm
from schoolgate.control.console.http import client_ip, person_or_404, user_agent
from schoolgate.control.console.publish import republish
from schoolgate.control.people.models import Person
from schoolgate.control.people.services import is_guardian_of
from schoolgate.policy.model import Pack


def consent_rows(pack: Pack, student: Person, now: dt.datetime) -> list[dict[str, Any]]:
    latest = current(student, now)
    rows = []
    for consent in pack.consents:
        row = latest.get(consent.id)
        state = consent_state(row, now).replace("-", " ")
        if state == "given" and row is not None and row.expires_at:
            state += f" until {row.expires_at:%Y-%m-%d}"
        rows.append({"consent": consent, "state": state, "record": row})
    return rows


@login_required
def consent_index(request: HttpRequest) -> HttpResponse:
    me = viewer(request.user).person
    children = (
        Person.objects.filter(guardians__guardian=me, guardians__active=True, active=True)
        if me is not None
        else Person.objects.none()
    )
    return render(request, "console/consent_index.html", {"children": children})


@login_required
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest, sourced_id: str) -> HttpResponse:
    me = viewer(request.user).person
    student = person_or_404(request, sourced_id, "consent")
    if me is None or not is_guardian_of(me, student):
        raise Http404("consents are given by the student's own parent or guardian")
    record_views(request.user, [student], what="consents", purpose="consent", path=request.path)
    pack = current_pack().pack
    form = ConsentForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record(
                    student,
                    form.cleaned_data["consent"],
                    form.cleaned_data["action"],
                    signer=me,
                    typed_name=form.cleaned_data["typed_name"],
                    ip_address=client_ip(request),
                    user_agent=user_agent(request),
                    pack=pack,
                )
            except ConsentError as exc:
                error, status = str(exc), 400
            else:
                republish()
                return redirect("console:consent", sourced_id=student.sourced_id)
        else:
            error, status = "Choose give or withdraw and type your name.", 400
    context = {
        "student": student,
        "rows": consent_rows(pack, student, timezone.now()),
        "error": error,
        "form": form,
    }
    return render(request, "console/consents.html", context, status=status)
