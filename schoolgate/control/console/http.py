"""Small helpers every console view shares: the client's address, 404 for what is not yours."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from schoolgate.control.access.scope import visible_person
from schoolgate.control.people.models import Person


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. X-Forwarded-For is not trusted: the console binds to loopback or sits
    behind a proxy the operator configures (docs/console.md)."""
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:500]


def person_or_404(request: HttpRequest, sourced_id: str, purpose: str) -> Person:
    """A person the user may see for `purpose`; absent and hidden look the same (404), and so
    does an id with a NUL byte (`visible_person` answers None without a query: PostgreSQL would
    refuse it with a 500)."""
    person = visible_person(request.user, sourced_id, purpose)
    if person is None:
        raise Http404("no such person")
    return person
