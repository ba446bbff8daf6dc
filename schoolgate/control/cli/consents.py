"""`schoolgate consents grant|revoke|list|expiring.`"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import fail, lookup, publish_after, setup, when

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def consents() -> None:
    """Guardian consents per student: grant, revoke, list, what expires soon."""


def _consent_options(func: F) -> F:
    for option in reversed(
        [
            click.argument("student"),
            click.argument("consent"),
            click.option("--guardian", required=True, help="Who gives it (id, username, e-mail)."),
            click.option(
                "--name", "typed_name", required=True, help="The name the guardian typed."
            ),
            click.option("--ip", "ip_address"),
            click.option("--recorded-by", default="", help="Who entered a paper form."),
        ]
    ):
        func = option(func)
    return func


@consents.command("grant")
@_consent_options
@click.option("--expires", help="When the consent lapses (ISO date).")
def consents_grant(
    student: str,
    consent: str,
    guardian: str,
    typed_name: str,
    ip_address: str | None,
    recorded_by: str,
    expires: str | None,
) -> None:
    """Record that a guardian grants CONSENT for STUDENT."""
    _change_consent(
        "grant", student, consent, guardian, typed_name, ip_address, recorded_by, when(expires)
    )


@consents.command("revoke")
@_consent_options
def consents_revoke(
    student: str,
    consent: str,
    guardian: str,
    typed_name: str,
    ip_address: str | None,
    recorded_by: str,
) -> None:
    """Record that a guardian withdraws CONSENT for STUDENT."""
    _change_consent("revoke", student, consent, guardian, typed_name, ip_address, recorded_by, None)


def _change_consent(
    action: str,
    student: str,
    consent: str,
    guardian: str,
    typed_name: str,
    ip_address: str | None,
    recorded_by: str,
    expires: dt.datetime | None,
) -> None:
    setup()
    from schoolgate.control.consents.services import ConsentError, record

    try:
        saved = record(
            lookup(student),
            consent,
            action,
            signer=lookup(guardian),
            typed_name=typed_name,
            expires_at=expires,
            ip_address=ip_address,
            user_agent="schoolgate consents",
            recorded_by=recorded_by,
        )
    except ConsentError as exc:
        fail(str(exc))
    click.echo(f"{consent} {saved.get_action_display()}: record {saved.seq}")
    publish_after()


@consents.command("list")
@click.argument("student")
def consents_list(student: str) -> None:
    """STUDENT's consents as they stand, and their history."""
    setup()
    from django.utils import timezone

    from schoolgate.control.consents.services import current, history, in_force

    who = lookup(student)
    now = timezone.now()
    for consent, row in sorted(current(who).items()):
        state = (
            "in force"
            if in_force(row, now)
            else ("expired" if row.action == "grant" else "revoked")
        )
        until = (
            f" until {row.expires_at:%Y-%m-%d}" if row.expires_at and state == "in force" else ""
        )
        click.echo(f"  {consent:<20} {state}{until}")
    click.echo("history:")
    for row in history(who):
        click.echo(
            f"  #{row.seq} {row.signed_at:%Y-%m-%d %H:%M} {row.action} {row.consent} "
            f"by {row.typed_name}"
        )


@consents.command("expiring")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1))
def consents_expiring(days: int) -> None:
    """Consents that lapse within DAYS."""
    setup()
    from schoolgate.control.consents.services import expiring

    for item in expiring(dt.timedelta(days=days)):
        click.echo(f"  {item.expires_at:%Y-%m-%d}  {item.consent:<20} {item.student.sourced_id}")
