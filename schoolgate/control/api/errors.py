"""Every refusal is JSON with a sentence: `{"error": "...", "fields": {...}}`.

`error` names the first field or line at fault; `fields` (for bad input) has every field's
messages. Bodies over the route's limit are refused before they are read, and request errors
Django raises itself (a multipart form with too many fields) become a 400, never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

# Bodies larger than this are refused with 413 unless a view sets its own `max_body`.
MAX_JSON_BODY = 64 * 1024


class BodyTooLarge(APIException):  # type: ignore[misc]
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def check_body_size(request: Any, limit: int) -> None:
    """Refuse a body by its declared length before anything reads it."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        raise ValidationError({"Content-Length": ["not a number"]}) from None
    if length > limit:
        raise BodyTooLarge(f"the request body is {length} bytes; this route takes at most {limit}")


def _first(fields: dict[str, Any]) -> str:
    name, messages = next(iter(fields.items()))
    while isinstance(messages, dict) and messages:  # nested serializers
        inner, messages = next(iter(messages.items()))
        name = f"{name}.{inner}"
    text = messages[0] if isinstance(messages, list) and messages else messages
    if name == "non_field_errors":
        return str(text)
    return f"{name}: {text}"


def handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SuspiciousOperation):
        return Response({"error": f"bad request: {exc}"}, status=400)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"error": _first(fields) if fields else "invalid input", "fields": fields}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"error": str(data["detail"])}
    return response
