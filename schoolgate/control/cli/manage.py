"""`schoolgate manage …: Django's own management commands.`"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import setup

F = TypeVar("F", bound=Callable[..., Any])


@click.command(
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],
    }
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Django's management commands (`schoolgate manage migrate`, `… makemigrations --check`)."""
    setup(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["schoolgate manage", *args])
