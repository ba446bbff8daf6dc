"""What every control-plane command shares: Django set up, errors, people by key, publishing."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click


def setup(migrate: bool = True) -> None:
    """Configure Django and bring the database schema up to date (quietly, idempotently)."""
    from schoolgate.control import setup

    setup()
    from django.conf import settings

    from schoolgate.control.config import ensure_secret_key

    if migrate:
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", verbosity=0, interactive=False)
    if "SCHOOLGATE_SECRET_KEY" not in os.environ:
        ensure_secret_key(Path(settings.DATA_DIR))


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def lookup(key: str) -> Any:
    from schoolgate.control.people.services import find_person

    try:
        return find_person(key)
    except LookupError as exc:
        fail(str(exc))


def publish_after(quiet: bool = False) -> None:
    """Publish now if records changed: a snapshot follows a change even with no server running."""
    from schoolgate.control.publication.services import publish_pending
    from schoolgate.policy.problems import PackError

    try:
        published = publish_pending()
    except (PackError, OSError) as exc:
        click.echo(f"snapshot not published: {exc}", err=True)
        return
    if published and published.written and not quiet:
        click.echo(f"snapshot {published.revision[:12]} published to {published.path}")


def when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date or date-time (ISO 8601)") from None
    return parsed if parsed.tzinfo else parsed.astimezone()
