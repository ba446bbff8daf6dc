"""`schoolgate roster import|generate: OneRoster in, a demo district out.`"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import fail, publish_after, setup

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def roster() -> None:
    """Import a OneRoster export, or generate a demo district."""


@roster.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Read and check only; store nothing.")
@click.option("--publish/--no-publish", default=True, help="Publish a snapshot afterwards.")
def roster_import(path: Path, check: bool, publish: bool) -> None:
    """Import PATH (a folder or zip of OneRoster 1.1 or 1.2 CSV files) in one transaction."""
    setup()
    from schoolgate.control.people.oneroster.problems import RosterError
    from schoolgate.control.people.roster import load_roster, write_roster

    click.echo(f"reading and checking {path.name} …", err=True)
    try:
        checked = load_roster(path)
    except RosterError as exc:
        click.echo(str(exc), err=True)
        fail(f"{path.name}: {len(exc.problems)} problem(s); nothing was imported")
    if check:
        click.echo(f"{path.name}: OneRoster {checked.version}, {checked.rows()} rows, no problems")
        return
    with click.progressbar(
        length=max(1, checked.rows()),
        label="writing",
        show_pos=True,
        show_percent=True,
        file=sys.stderr,
    ) as bar:

        def progress(label: str, rows: int) -> None:
            bar.label = f"writing {label:<17}"
            bar.update(rows)

        result = write_roster(checked, progress)
    click.echo(result.summary())
    if publish:
        publish_after()


@roster.command("generate")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--students", default=500, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True)
@click.option(
    "--oneroster", "version", type=click.Choice(["1.2", "1.1"]), default="1.2", show_default=True
)
def roster_generate(directory: Path, students: int, seed: int, version: str) -> None:
    """Write a seeded synthetic district as OneRoster CSV into DIRECTORY."""
    from schoolgate.control.people.oneroster.generate import write

    district = write(directory, students, seed, version)
    click.echo(
        f"{directory}: {len(district.orgs) - 1} schools, {len(district.users)} users, "
        f"{len(district.classes)} classes, {len(district.enrollments)} enrollments "
        f"(OneRoster {version}, seed {seed})"
    )
