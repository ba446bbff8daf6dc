"""`schoolgate console --setup-only`: the demo district, a sign-in per role, passwords that work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from schoolgate.control.cli.console import console
from schoolgate.control.console.demo import DEMO_ROLES
from schoolgate.control.people.models import Person

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^  (\S+)\s+(\S+)\s+(\S+)\s+\((.+)\)$", re.MULTILINE)


def run(*args: str) -> str:
    result = CliRunner().invoke(console, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_setup_only_prints_a_working_sign_in_per_role(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SCHOOLGATE_SECURE_COOKIES", "false")  # what the command sets; undone after
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    out = run("--setup-only", "--students", "30", "--port", "8123")
    assert "demo district imported" in out and "http://127.0.0.1:8123/" in out
    sign_ins = {m[0]: (m[1], m[2]) for m in LINE.findall(out)}
    assert tuple(sign_ins) == DEMO_ROLES
    for role, (username, password) in sign_ins.items():
        client = Client()
        response = client.post("/login/", {"username": username, "password": password})
        assert response.status_code == 302, role
        assert client.get("/").status_code == 200
    # A second run keeps the district, and only the new passwords work.
    count = Person.objects.count()
    again = run("--setup-only")
    assert "demo district imported" not in again and Person.objects.count() == count
    username, old = sign_ins["teacher"]
    assert Client().post("/login/", {"username": username, "password": old}).status_code == 401
