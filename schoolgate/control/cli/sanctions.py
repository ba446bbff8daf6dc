"""`schoolgate sanctions suspend|lift|list.`"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import fail, lookup, publish_after, setup, when

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def sanctions() -> None:
    """Suspend or revoke access, lift a sanction, list them."""


@sanctions.command("suspend")
@click.argument("person")
@click.option(
    "--scope",
    default="network",
    show_default=True,
    type=click.Choice(["network", "internet", "email", "publishing", "devices", "all"]),
)
@click.option("--reason", required=True, help="Shown to the person on the block page.")
@click.option("--by", "decided_by", required=True, help="Who decided (a person or a name).")
@click.option("--days", type=float, help="Length of the suspension.")
@click.option("--until", "until", help="End (ISO date-time).")
@click.option("--start", help="Start (ISO date-time); default now.")
@click.option("--revoke", is_flag=True, help="Revoke: no end date.")
@click.option("--incident", type=int, help="The incident this follows from.")
def sanctions_suspend(
    person: str,
    scope: str,
    reason: str,
    decided_by: str,
    days: float | None,
    until: str | None,
    start: str | None,
    revoke: bool,
    incident: int | None,
) -> None:
    """Suspend PERSON's access in SCOPE (or revoke it with --revoke)."""
    setup()
    from django.utils import timezone

    from schoolgate.control.conduct.models import Incident
    from schoolgate.control.conduct.services import ConductError, suspend
    from schoolgate.control.people.services import find_person

    starts = when(start) or timezone.now()
    ends = when(until) or (starts + dt.timedelta(days=days) if days else None)
    if revoke and ends:
        fail("--revoke takes no --days or --until")
    if not revoke and ends is None:
        fail("give --days or --until, or --revoke")
    try:
        decider = find_person(decided_by)
    except LookupError:
        decider = None
    try:
        sanction = suspend(
            lookup(person),
            scope=scope,
            reason=reason,
            decided_by=decider,
            decided_by_name="" if decider else decided_by,
            starts_at=starts,
            ends_at=ends,
            kind="revoke" if revoke else "suspend",
            incident=Incident.objects.filter(pk=incident).first() if incident else None,
        )
    except ConductError as exc:
        fail(str(exc))
    end = f"until {sanction.ends_at:%Y-%m-%d %H:%M %Z}" if sanction.ends_at else "with no end"
    click.echo(f"sanction {sanction.pk}: {scope} {sanction.get_kind_display()} {end}")
    publish_after()


@sanctions.command("lift")
@click.argument("sanction_id", type=int)
@click.option("--by", required=True)
@click.option("--reason", required=True)
def sanctions_lift(sanction_id: int, by: str, reason: str) -> None:
    """End sanction SANCTION_ID now; its history stays."""
    setup()
    from schoolgate.control.conduct.models import Sanction
    from schoolgate.control.conduct.services import ConductError, lift

    found = Sanction.objects.filter(pk=sanction_id).first()
    if found is None:
        fail(f"no sanction {sanction_id}")
    try:
        lift(found, by=by, reason=reason)
    except ConductError as exc:
        fail(str(exc))
    click.echo(f"sanction {sanction_id} lifted")
    publish_after()


@sanctions.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include ended and lifted sanctions.")
def sanctions_list(show_all: bool) -> None:
    """Sanctions in force or still to come (or all of them)."""
    setup()
    from django.utils import timezone

    from schoolgate.control.conduct.models import Sanction
    from schoolgate.control.conduct.services import in_force_or_coming

    rows = Sanction.objects.all() if show_all else in_force_or_coming(timezone.now())
    for s in rows.select_related("person").order_by("starts_at"):
        end = s.effective_end
        click.echo(
            f"  {s.pk:>5} {s.person.sourced_id:<24} {s.scope:<10} {s.kind:<8} "
            f"{s.starts_at:%Y-%m-%d %H:%M} → {f'{end:%Y-%m-%d %H:%M}' if end else '—':<16} "
            f"{s.decided_by_name}"
        )
