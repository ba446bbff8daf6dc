"""Template context: the signed-in person and what the navigation may offer them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from schoolgate.control.access.scope import ACTIONS, viewer


def viewer_context(request: HttpRequest) -> dict[str, Any]:
    who = viewer(request.user)
    return {
        "me": who.person,
        "my_roles": sorted(who.roles),
        "can": {name.replace("-", "_"): bool(who.roles & roles) for name, roles in ACTIONS.items()},
    }
