# mypy: disallow-untyped-decorators=False
# (Django ships no type information: its view decorators are untyped to mypy.)
"""A JSON 404 for any path under api/v1/ that no route matches, so a program always gets the
`Error` shape (Django's own 404 page is HTML, for the console). It changes nothing, so it needs
no CSRF check, which would otherwise answer an unknown POST with an HTML 403."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    message = "no such route in the schoolgate API (see /api/v1/openapi.json)"
    return JsonResponse({"error": message}, status=404)
