"""`schoolgate agreements verify|outstanding|sign|remind.`"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import fail, lookup, publish_after, setup

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def agreements() -> None:
    """Acknowledgments of the policy: sign, verify the evidence chain, who has not signed."""


@agreements.command("verify")
def agreements_verify() -> None:
    """Check the acknowledgment and consent chains for altered, inserted or deleted records."""
    setup()
    from schoolgate.control.agreements.models import Acknowledgment
    from schoolgate.control.consents.models import ConsentRecord
    from schoolgate.control.evidence.services import verify

    failed = False
    for model in (Acknowledgment, ConsentRecord):
        report = verify(model)
        status = "ok" if report.ok else "BROKEN"
        click.echo(f"{report.chain}: {status} — {report.records} records, head {report.head[:16]}")
        for problem in report.problems:
            click.echo(f"  {problem}")
        failed = failed or not report.ok
    if failed:
        sys.exit(1)


@agreements.command("outstanding")
@click.option("--names", is_flag=True, help="List who has not signed, per school.")
def agreements_outstanding(names: bool) -> None:
    """Per school: how many must sign the current policy and how many have not."""
    setup()
    from schoolgate.control.agreements.services import current_pack, current_policy, outstanding

    pack = current_pack().pack
    policy = current_policy(pack)
    click.echo(f"{pack.metadata.title} {policy.version} ({policy.content_hash[:12]})")
    rows = outstanding(pack)
    width = max([len(r.school) for r in rows] + [6])
    for row in rows:
        click.echo(
            f"  {row.school:<{width}}  {row.required - row.signed:>6} of {row.required:>6} "
            "have not signed"
        )
        if names:
            for person in row.missing:
                click.echo(f"      {person.display_name} ({person.role}, {person.sourced_id})")


@agreements.command("sign")
@click.argument("person")
@click.option("--name", "typed_name", required=True, help="The name the signer typed.")
@click.option("--signer", help="Who signs, if not PERSON (a parent or guardian).")
@click.option("--ip", "ip_address", help="The signer's address.")
@click.option("--user-agent", default="schoolgate agreements sign")
@click.option("--recorded-by", default="", help="Who entered a paper signature.")
def agreements_sign(
    person: str,
    typed_name: str,
    signer: str | None,
    ip_address: str | None,
    user_agent: str,
    recorded_by: str,
) -> None:
    """Record a signature of the current policy for PERSON (scripted signing, paper forms)."""
    setup()
    from schoolgate.control.agreements.services import SigningError, sign

    who = lookup(person)
    try:
        record = sign(
            who,
            typed_name=typed_name,
            signer=lookup(signer) if signer else None,
            ip_address=ip_address,
            user_agent=user_agent,
            recorded_by=recorded_by,
        )
    except SigningError as exc:
        fail(str(exc))
    click.echo(f"signed: record {record.seq}, document {record.document_hash[:12]}")
    publish_after()


@agreements.command("remind")
@click.option("--every-days", default=7, show_default=True, type=click.IntRange(1))
@click.option("--limit", type=click.IntRange(1), help="At most this many reminders.")
def agreements_remind(every_days: int, limit: int | None) -> None:
    """E-mail everyone who has not signed (at most once every N days)."""
    setup()
    from schoolgate.control.agreements.services import send_reminders

    run = send_reminders(every=dt.timedelta(days=every_days), limit=limit)
    click.echo(
        f"{run.outstanding} outstanding: {run.reminded} reminded, "
        f"{run.skipped_recent} reminded recently, {run.no_address} without an address"
    )
