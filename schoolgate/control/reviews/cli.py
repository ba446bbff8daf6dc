"""`schoolgate reviews ingest|list`: review requests from the block page's spool."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from schoolgate.control.cli.common import setup


@click.group()
def reviews() -> None:
    """Review requests from the block page, and the site exceptions approved from them."""


@reviews.command("ingest")
@click.option(
    "--spool",
    "spool_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The spool directory the block page writes to.",
)
@click.option("--follow", is_flag=True, help="Keep reading until interrupted.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--source", default="blockpage", show_default=True, help="Name of this spool.")
def reviews_ingest(spool_dir: Path, follow: bool, interval: float, source: str) -> None:
    """Store the review requests the spool holds (reader "reviews"; other kinds are left)."""
    setup()
    from schoolgate.control.reviews import ingest

    if follow:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            result = ingest.follow(spool_dir, stop, interval=interval, source=source)
        except KeyboardInterrupt:
            stop.set()
            return
    else:
        result = ingest.ingest(spool_dir, source=source)
    click.echo(
        f"read {result.read}, stored {result.stored}, duplicates {result.duplicates}, "
        f"other kinds {result.other_kinds}, malformed {result.malformed}, lost {result.lost}"
    )
    for line in result.errors[:20]:
        click.echo(f"  {line}", err=True)


@reviews.command("list")
@click.option("--status", default="open", type=click.Choice(["open", "approved", "declined"]))
def reviews_list(status: str) -> None:
    """Review requests by status (site, when, rule; no names)."""
    setup()
    from schoolgate.control.reviews.models import ReviewRequest

    rows = ReviewRequest.objects.filter(status=status).order_by("-requested_at")[:200]
    for row in rows:
        click.echo(f"{row.pk}\t{row.requested_at:%Y-%m-%d %H:%M}\t{row.domain}\t{row.rule}")
