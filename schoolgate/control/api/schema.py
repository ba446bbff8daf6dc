"""The OpenAPI document's parts the views cannot say themselves: the machine-token security
scheme, and the error answers every operation can give (so a client, and schemathesis, know
that a 404 or 413 is a documented answer with the `Error` shape, not a surprise)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "What is wrong, naming the field or line."},
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "Bad input only: each field's messages.",
        },
    },
    "required": ["error"],
}
ALWAYS = {
    "400": "Bad input: the query string or body, by field",
    "401": "No session and no token, or a token that is unknown, expired or revoked",
    "403": "Signed in, but your role or token scope does not allow this",
    "404": "No such record, or one you may not see (the two look the same)",
}
WITH_BODY = {
    "413": "The body is larger than this route takes",
    "415": "The body is not of the documented media type",
}


class BearerScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "schoolgate.control.api.auth.BearerTokenAuthentication"
    name = "machineToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A machine token from `schoolgate tokens create` (docs/api.md).",
        }


def add_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the `Error` schema on every operation's refusals."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            answers = operation.setdefault("responses", {})
            extra = {**ALWAYS, **(WITH_BODY if "requestBody" in operation else {})}
            for code, description in extra.items():
                answers.setdefault(code, {"description": description, "content": ref})
            for code, answer in answers.items():  # a view's own refusals (503) are errors too
                if code[0] in "45" and "content" not in answer:
                    answer["content"] = ref
    return result
