"""`schoolgate events ingest|purge`: the filter's event store, fed from the spool."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from schoolgate.control.cli.common import fail, setup


@click.group()
def events() -> None:
    """Read the filter's spool into the event store; purge old events."""


@events.command("ingest")
@click.option(
    "--spool",
    "spool_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The spool directory the resolver writes (its --spool).",
)
@click.option("--follow", is_flag=True, help="Keep reading as records arrive, until Ctrl-C.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls.")
def events_ingest(spool_dir: Path, follow: bool, interval: float) -> None:
    """Store the spool's filter decisions (reader "activity"; at least once, de-duplicated)."""
    setup()
    from schoolgate.control.activity import ingest
    from schoolgate.spool import SpoolError

    if not spool_dir.is_dir():
        fail(f"{spool_dir}: no such spool directory")
    try:
        if not follow:
            result = ingest.ingest(spool_dir)
            click.echo(result.summary())
            if result.malformed_seqs:
                shown = ", ".join(str(s) for s in result.malformed_seqs[:20])
                click.echo(f"malformed records at spool seq {shown}", err=True)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"following {spool_dir} (Ctrl-C stops)")
        total = ingest.follow(spool_dir, stop, interval)
        click.echo(total.summary())
    except SpoolError as exc:
        fail(str(exc))


@events.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    help="Delete events older than DAYS (default and minimum: SCHOOLGATE_EVENT_RETENTION_DAYS).",
)
def events_purge(days: int | None) -> None:
    """Delete filter events past the retention period."""
    setup()
    from schoolgate.control.activity.retention import RetentionError, purge, retention_days

    try:
        deleted = purge(days)
        click.echo(f"deleted {deleted} events older than {days or retention_days()} days")
    except RetentionError as exc:
        fail(str(exc))
