# mypy: disallow-untyped-decorators=False, disallow-subclassing-any=False
# (Django ships no type information: its view decorators and form classes are untyped to mypy.)
"""Review requests from the block page, and the site exceptions staff approve from them.

Who sees a request is who may see its requester (`visible_people(user, "review")`: a teacher
their classes' students, a principal their schools, district-wide roles everyone, a student
themself); every request shown is an access-log entry for its requester. Who may approve, and
for which class, student or school, is `reviews.services.approval_targets`; approving creates a
site exception and republishes the snapshot, as a suspension does.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import EVERYONE_ROLES, may, viewer, visible_people
from schoolgate.control.console.publish import republish
from schoolgate.control.people.models import Org, SchoolClass
from schoolgate.control.reviews.models import ReviewRequest, SiteException
from schoolgate.control.reviews.services import (
    ReviewError,
    approval_targets,
    approve,
    decline,
    max_days,
    revoke,
    visible_exceptions,
)

STATUSES = ("open", "approved", "declined")


class ApproveForm(forms.Form):
    scope = forms.ChoiceField(
        label="Open the site for",
        choices=[("class", "a class"), ("person", "this student only"), ("school", "the school")],
        widget=forms.RadioSelect,
    )
    school_class = forms.IntegerField(label="Class", required=False)
    school = forms.IntegerField(label="School", required=False)
    domain = forms.CharField(
        label="Site to open (the requested host, or the domain it is under)", max_length=253
    )
    until = forms.DateField(label="Open until (last day)", widget=forms.DateInput({"type": "date"}))
    reason = forms.CharField(
        label="Why (the educational purpose)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(forms.Form):
    note = forms.CharField(
        label="Why not (the student sees this)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Why revoke it", max_length=1000)


def _visible_requests(request: HttpRequest) -> QuerySet[ReviewRequest]:
    """Requests from people the user may see; district-wide roles also see those whose user the
    snapshot did not know (no requester), so no request is left where nobody can decide it."""
    allowed = Q(requester__in=visible_people(request.user, "review"))
    if viewer(request.user).roles & EVERYONE_ROLES:
        allowed |= Q(requester__isnull=True)
    return ReviewRequest.objects.filter(allowed).select_related(
        "requester", "decided_by", "exception"
    )


def _request_or_404(request: HttpRequest, pk: int) -> ReviewRequest:
    found: ReviewRequest | None = _visible_requests(request).filter(pk=pk).first()
    if found is None:
        raise Http404("no such review request")
    return found


def _message(request: HttpRequest, title: str, message: str, status: int = 400) -> HttpResponse:
    return render(
        request, "console/message.html", {"title": title, "message": message}, status=status
    )


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in STATUSES:
        status = "open"
    rows = list(
        _visible_requests(request).filter(status=status).order_by("-requested_at", "-pk")[:200]
    )
    subjects = {r.requester.pk: r.requester for r in rows if r.requester is not None}.values()
    record_views(
        request.user, subjects, what="review requests", purpose="review", path=request.path
    )
    context = {"rows": rows, "status": status, "statuses": STATUSES}
    return render(request, "console/reviews.html", context)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _request_or_404(request, pk)
    subjects = [review.requester] if review.requester is not None else []
    record_views(request.user, subjects, what="review request", purpose="review", path=request.path)
    who = viewer(request.user)
    targets = approval_targets(who.person, who.roles, review)
    today = timezone.localdate()
    context = {
        "review": review,
        "targets": targets if review.status == "open" else None,
        "can_decide": review.status == "open" and targets.any,
        "default_until": today + dt.timedelta(days=30),
        "latest_until": today + dt.timedelta(days=max_days()),
        "done": request.GET.get("done", ""),
    }
    return render(request, "console/review.html", context)


@login_required
@require_POST
def approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not may(request.user, "approve-review"):
        raise PermissionDenied("only teachers, principals and district staff approve requests")
    review = _request_or_404(request, pk)
    form = ApproveForm(request.POST)
    who = viewer(request.user)
    if not form.is_valid() or who.person is None:
        return _message(request, "Not approved", "Choose whom to open the site for, an end date "
                        "and the reason.")  # fmt: skip
    data = form.cleaned_data
    school_class = school = None
    if data["scope"] == "class":
        school_class = SchoolClass.objects.filter(pk=data["school_class"] or 0).first()
    elif data["scope"] == "school":
        school = Org.objects.filter(pk=data["school"] or 0).first()
    try:
        approve(
            review,
            by=who.person,
            roles=who.roles,
            scope=data["scope"],
            until=data["until"],
            reason=data["reason"],
            school_class=school_class,
            school=school,
            domain=data["domain"],
        )
    except ReviewError as exc:
        return _message(request, "Not approved", str(exc))
    done = "approved" if republish() else "approved-unpublished"
    return redirect(f"/reviews/{review.pk}/?done={done}")


@login_required
@require_POST
def decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = _request_or_404(request, pk)
    who = viewer(request.user)
    if who.person is None or not approval_targets(who.person, who.roles, review).any:
        raise PermissionDenied("you may not decide this request")
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _message(request, "Not declined", "Say why the request is declined.")
    try:
        decline(review, by=who.person, note=form.cleaned_data["note"])
    except ReviewError as exc:
        return _message(request, "Not declined", str(exc))
    return redirect(f"/reviews/{review.pk}/?done=declined")


@login_required
def exception_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "approve-review"):
        raise PermissionDenied("site exceptions are for the staff who approve them")
    who = viewer(request.user)
    rows = list(visible_exceptions(who.person, who.roles).order_by("until", "pk")[:500])
    people = [r.person for r in rows if r.person is not None]
    record_views(request.user, people, what="site exceptions", purpose="review", path=request.path)
    return render(request, "console/exceptions.html", {"rows": rows})


@login_required
@require_POST
def revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not may(request.user, "approve-review"):
        raise PermissionDenied("site exceptions are for the staff who approve them")
    who = viewer(request.user)
    exception: SiteException | None = (
        visible_exceptions(who.person, who.roles).filter(pk=pk).first()
    )
    if exception is None or who.person is None:
        raise Http404("no such site exception")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _message(request, "Not revoked", "Say why the exception is revoked.")
    try:
        revoke(exception, by=who.person, reason=form.cleaned_data["reason"])
    except ReviewError as exc:
        return _message(request, "Not revoked", str(exc))
    republish()
    return redirect("console:exceptions")
