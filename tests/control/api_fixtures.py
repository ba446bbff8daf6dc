"""The demo district loaded once per test module for the API tests, clients per role and per
machine token, and the people on both sides of each relationship.

`district` opens a transaction around the whole module (as Django's `TestCase.setUpClass`
does for `setUpTestData`): each test's own transaction is a savepoint inside it, and the
district is rolled back when the module is done, so other test modules never see it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from .console_fixtures import Demo, oracle, targets

__all__ = ["targets"]  # re-exported: the API tests take their people from the console's set

MACHINES = ("token:addresses", "token:leases", "token:both", "token:snapshot", "token:none")
CALLERS = ("anonymous", "student", "guardian", "teacher", "principal", "hr",
           "technology-manager", "administrator", *MACHINES)  # fmt: skip
INCIDENT_ROLES = ("principal", "administrator", "technology-manager")


@pytest.fixture(scope="module")
def district(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.test.utils import override_settings

    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district

    data = tmp_path_factory.mktemp("api-district")
    with (
        django_db_blocker.unblock(),
        override_settings(
            DATA_DIR=data,
            SCHOOLGATE_SNAPSHOT=str(data / "snapshot.json"),
            SCHOOLGATE_PACK="ces",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # speed only
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_district(students=40, seed=2)
            sign_ins = create_sign_ins()
            users = {s.role: User.objects.get(username=s.username) for s in sign_ins}
            yield Demo(demo_people(), users, {s.role: s.password for s in sign_ins})
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(district: Demo, db: None) -> Demo:
    """The module's district inside this test's own (rolled back) transaction."""
    return district


def machine_token(*scopes: str, name: str = "machine") -> str:
    from schoolgate.control.api.tokens import create

    return create(name, list(scopes), created_by="test")[1]


def client_for(demo: Demo, caller: str, **kwargs: Any) -> Client:
    """A client signed in as a demo role (session), or holding a machine token."""
    if caller.startswith("token:"):
        scopes = {
            "token:addresses": ["addresses:read"],
            "token:leases": ["leases:write"],
            "token:both": ["addresses:read", "leases:write"],
            "token:snapshot": ["snapshot:read"],
            "token:none": [],
        }[caller]
        if not scopes:  # a token the scope check refuses: it holds the other routes' scope
            from schoolgate.control.api.models import MachineToken

            secret = machine_token("addresses:read", name="no-scope")
            MachineToken.objects.filter(name="no-scope").update(scopes=[])
        else:
            secret = machine_token(*scopes, name=caller.replace(":", "-"))
        return Client(headers={"authorization": f"Bearer {secret}"}, **kwargs)
    client = Client(**kwargs)
    if caller != "anonymous":
        client.force_login(demo.users[caller])
    return client


def sees(demo: Demo, caller: str, target: Any) -> bool:
    """The oracle for a caller: machines and anonymous see nobody."""
    if caller.startswith("token:") or caller == "anonymous":
        return False
    return oracle(caller, demo.people[caller], target)


def snapshot_records(data_dir: Path) -> dict[str, Any]:
    import json

    return dict(json.loads((data_dir / "snapshot.json").read_text())["records"])
