"""Which caller may use a route: people (through `access.scope` after this) or machines with
the route's one scope. Neither ever gets the other's routes."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from schoolgate.control.api.models import MachineToken


class IsPerson(BasePermission):  # type: ignore[misc]
    """A signed-in person; whom they see is `visible_people`'s answer, not this class's."""

    message = "this route is for people signed in to the console, not machine tokens"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and not isinstance(request.auth, MachineToken))


class HasScope(BasePermission):  # type: ignore[misc]
    """A machine token holding the view's `required_scope`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        scope: str = view.required_scope
        self.message = f"this route needs a machine token with the scope {scope}"
        token = request.auth
        return isinstance(token, MachineToken) and scope in token.scopes
