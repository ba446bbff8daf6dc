# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""The signing page: a person signs the acceptable use agreement, or a guardian for a child.

The document, intent statement and evidence are the agreements service's; this page shows the
same text the signature's hash covers and passes the address and browser along."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import viewer
from schoolgate.control.agreements.documents import intent
from schoolgate.control.agreements.models import Acknowledgment
from schoolgate.control.agreements.services import (
    SigningError,
    current_pack,
    current_policy,
    document_for,
    sign,
)
from schoolgate.control.console.forms import SignForm
from schoolgate.control.console.http import client_ip, person_or_404, user_agent
from schoolgate.control.console.publish import republish
from schoolgate.control.people.models import Person
from schoolgate.control.people.services import is_guardian_of


@login_required
def sign_index(request: HttpRequest) -> HttpResponse:
    me = viewer(request.user).person
    if me is None:
        raise Http404("no person record")
    return redirect("console:sign", sourced_id=me.sourced_id)


@login_required
@require_http_methods(["GET", "POST"])
def sign_page(request: HttpRequest, sourced_id: str) -> HttpResponse:
    me = viewer(request.user).person
    person = person_or_404(request, sourced_id, "signing")
    if me is None or (person.pk != me.pk and not is_guardian_of(me, person)):
        raise Http404("you may sign only for yourself or your own child")
    if person.pk != me.pk:
        record_views(request.user, [person], what="signing", purpose="signing", path=request.path)
    loaded = current_pack()
    policy = current_policy(loaded.pack)
    document = document_for(person, policy)
    audience = "guardian" if person.pk != me.pk else document.audience
    statement = intent(audience, loaded.pack, student=person.display_name)
    form = SignForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sign(
                    person,
                    typed_name=form.cleaned_data["typed_name"],
                    signer=me,
                    ip_address=client_ip(request),
                    user_agent=user_agent(request),
                    pack=loaded.pack,
                )
            except SigningError as exc:
                error, status = str(exc), 400
            else:
                republish()
                return redirect("console:sign", sourced_id=person.sourced_id)
        else:
            status = 400
    signature = _signature(person, policy.baseline_id)
    context = {
        "person": person,
        "for_self": person.pk == me.pk,
        "document": document,
        "statement": statement,
        "form": form,
        "error": error,
        "signature": signature,
        "children": Person.objects.filter(guardians__guardian=me, guardians__active=True)
        if person.pk == me.pk
        else [],
    }
    return render(request, "console/sign.html", context, status=status)


def _signature(person: Person, baseline_id: int) -> Acknowledgment | None:
    found: Acknowledgment | None = Acknowledgment.objects.filter(
        on_behalf_of=person, policy_version__baseline=baseline_id
    ).first()
    return found
