"""The control plane: the records the policy needs, kept in Django, compiled into snapshots.

Only this package imports Django. Everything that decides (`schoolgate.engine`) or enforces
(`schoolgate.enforce`) reads what the control plane publishes — a snapshot file or its HTTP
copy — and never the database, so an outage here never stops filtering.
"""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_MODULE = "schoolgate.control.settings"


def setup() -> None:
    """Configure Django for a command-line entry point (idempotent)."""
    import django
    from django.apps import apps

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    if not apps.ready:
        django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and database["NAME"] != ":memory:":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
