"""schemathesis against the served OpenAPI document, through the WSGI app in-process: every
operation with generated input, as an administrator (session and CSRF) and as a machine token
with every scope. No answer may be a 5xx, and every answer must be documented and match its
schema. A modest example count keeps it well under a minute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .api_fixtures import client_for, demo, district, machine_token
from .console_fixtures import Demo

__all__ = ["demo", "district"]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15
READS = [f"GET /api/v1/{route}" for route in
         ("people", "acknowledgments/outstanding", "consents", "sanctions", "incidents",
          "access-log")]  # fmt: skip


def fuzz(operation: Any, headers: dict[str, str], cookies: dict[str, str]) -> set[int]:
    """EXAMPLES generated requests to one operation; the status codes it answered."""
    seen: set[int] = set()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        # schemathesis makes up a Bearer token and a session cookie for the documented
        # security schemes; ours are what is under test.
        for name in [k for k in case.headers or {} if k.lower() == "authorization"]:
            del case.headers[name]
        for name in list(case.cookies or {}):
            del case.cookies[name]
        response = case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
        seen.add(response.status_code)

    run()
    return seen


@contextmanager
def connection_kept() -> Iterator[None]:
    """The real WSGI handler closes the database connection after each request, which would end
    the test's transaction on PostgreSQL; Django's own test client unhooks it the same way."""
    hooks = (signals.request_started, signals.request_finished)
    for hook in hooks:
        hook.disconnect(close_old_connections)
    try:
        yield
    finally:
        for hook in hooks:
            hook.connect(close_old_connections)


def exercise(headers: dict[str, str], cookies: dict[str, str] | None = None) -> dict[str, set[int]]:
    """Every operation of the served document, fuzzed."""
    with connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        return {
            f"{op.method.upper()} {op.path}": fuzz(op, headers, cookies or {}) for op in operations
        }


def test_the_document_is_openapi_3_and_names_every_route(demo: Demo) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["components"]["securitySchemes"]) == {"cookieAuth", "machineToken"}
    assert len(document["paths"]) == 12  # every route but the document itself


@pytest.mark.slow
def test_as_an_administrator(demo: Demo) -> None:
    client = client_for(demo, "administrator")
    client.get("/login/")  # the console's CSRF cookie
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    answered = exercise({"X-CSRFToken": cookies["csrftoken"]}, cookies)
    assert len(answered) == 14
    for operation in READS:  # the session worked: each read answered 200 at least once
        assert 200 in answered[operation], (operation, answered[operation])


@pytest.mark.slow
def test_as_a_machine(demo: Demo) -> None:
    from schoolgate.control.publication.services import publish

    publish()  # so the snapshot route answers 200 (and 304), not only 503
    secret = machine_token("addresses:read", "leases:write", "snapshot:read")
    answered = exercise({"Authorization": f"Bearer {secret}"})
    assert len(answered) == 14
    assert 200 in answered["GET /api/v1/addresses"], answered
    assert 200 in answered["GET /api/v1/snapshot"], answered
    for operation in READS:  # a machine never reads people
        assert answered[operation] <= {400, 401, 403, 404}, (operation, answered[operation])
