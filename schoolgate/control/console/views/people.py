# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""The people directory and one person's record; every person shown is logged."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import may, visible_incidents
from schoolgate.control.access.scope import visible_people as scoped
from schoolgate.control.accounts.oidc.linking import identities
from schoolgate.control.agreements.progress import schools_among
from schoolgate.control.agreements.services import acknowledgment_status, current_pack
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.consents.services import granted_consents
from schoolgate.control.console.forms import DirectoryFilter, SuspendForm
from schoolgate.control.console.http import person_or_404
from schoolgate.control.console.views.consents import consent_rows
from schoolgate.control.people.models import Person
from schoolgate.control.people.services import enrollments_of, guardians_of

PAGE_SIZE = 50


def _ack_label(status: dict[int, bool], pk: int) -> str:
    if pk not in status:
        return "not required"
    return "signed" if status[pk] else "outstanding"


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    people = scoped(request.user, "directory")
    form = DirectoryFilter(request.GET, schools=schools_among(people))
    now = timezone.now()
    status = acknowledgment_status(current_pack().pack, now)
    agreement = ""
    if not form.is_valid():  # a school not among the choices, a NUL byte, an unknown state
        people = people.none()
    else:
        query, agreement, school = (form.cleaned_data[k] for k in ("q", "agreement", "school"))
        if query:
            people = people.filter(
                Q(given_name__icontains=query)
                | Q(family_name__icontains=query)
                | Q(preferred_given_name__icontains=query)
            )
        if school is not None:
            at_school = Q(primary_org_id=school) | Q(roles__org_id=school, roles__active=True)
            people = people.filter(pk__in=Person.objects.filter(at_school).values("pk"))
    people = people.order_by("family_name", "given_name", "pk")
    listed: list[Person]
    if agreement:
        # the state comes from the signatures, not a column: filtered over the ids in Python (a
        # district's statuses as an SQL IN list would not do), then one page fetched
        wanted = agreement.replace("-", " ")  # "not-required" is shown "not required"
        ids = [pk for pk in people.values_list("pk", flat=True) if _ack_label(status, pk) == wanted]
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = Person.objects.select_related("primary_org").in_bulk(list(page))
        listed = [shown[pk] for pk in page if pk in shown]
    else:
        page = Paginator(people.select_related("primary_org"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        listed = list(page)
    consents = granted_consents(now)
    rows = [
        {
            "person": p,
            "ack": _ack_label(status, p.pk),
            "consents": sorted(consents.get(p.pk, ())) if p.role == "student" else None,
        }
        for p in listed
    ]
    record_views(request.user, listed, what="directory", purpose="directory", path=request.path)
    filters = {k: v for k, v in request.GET.items() if k in form.fields and v}
    context = {"rows": rows, "page": page, "form": form, "filters": urlencode(filters)}
    return render(request, "console/people.html", context)


@login_required
def person_detail(request: HttpRequest, sourced_id: str) -> HttpResponse:
    person = person_or_404(request, sourced_id, "record")
    record_views(request.user, [person], what="record", purpose="record", path=request.path)
    incidents = None
    if may(request.user, "handle-incidents"):  # principals, IT, administrators: not teachers
        incidents = list(
            visible_incidents(request.user)
            .filter(subject=person)
            .select_related("assigned_to")
            .order_by("-opened_at", "-pk")[:20]
        )
        if incidents:  # as the incident pages do: reading one is an access of its person
            record_views(
                request.user, [person], what="incidents", purpose="incident", path=request.path
            )
    now = timezone.now()
    pack = current_pack().pack
    status = acknowledgment_status(pack, now)
    done = request.GET.get("done", "")[:40]  # "suspended-unpublished" and the like
    context = {
        "person": person,
        "ack": _ack_label(status, person.pk),
        "consents": consent_rows(pack, person, now) if person.role == "student" else [],
        "sanctions": Sanction.objects.filter(person=person).order_by("-starts_at")[:20],
        "incidents": incidents,
        "classes": [e.school_class for e in enrollments_of(person)],
        "guardians": list(guardians_of(person)) if person.role == "student" else [],
        "now": now,
        "form": SuspendForm() if may(request.user, "suspend") else None,
        # the provider accounts bound to theirs: for administrators, who alone may unbind them
        "sign_ins": identities(person) if may(request.user, "manage-sign-in") else None,
        "done": done,
        "unbound": int(done[8:]) if done.startswith("unbound-") and done[8:].isdigit() else None,
    }
    return render(request, "console/person.html", context)
