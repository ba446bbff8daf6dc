# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""Unbinding a person's OpenID provider accounts from their record, as `schoolgate accounts
oidc-unbind` does: when a person really has a new provider account, the administrator need not
reach a shell."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from schoolgate.control.access.scope import may, viewer
from schoolgate.control.accounts.oidc.linking import unbind
from schoolgate.control.console.http import person_or_404

log = logging.getLogger(__name__)


@login_required
@require_POST
def oidc_unbind(request: HttpRequest, sourced_id: str) -> HttpResponse:
    if not may(request.user, "manage-sign-in"):
        raise PermissionDenied("only an administrator unbinds a provider account")
    person = person_or_404(request, sourced_id, "record")
    provider_id = request.POST.get("provider", "")[:32]
    count = unbind(person, provider_id)
    actor = viewer(request.user).person
    # who decided, by id: the linking module logs which provider and account went
    log.warning("oidc unbind from the console: %d by person=%s", count, actor.pk if actor else None)
    return redirect(f"/people/{person.sourced_id}/?done=unbound-{count}")
