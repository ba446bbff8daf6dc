"""`schoolgate tokens create|list|revoke`: machine tokens for the JSON API (docs/api.md).

The secret is printed once, by `create`, to standard output only; nothing logs it."""

from __future__ import annotations

import datetime as dt

import click

from schoolgate.control.cli.common import fail, setup, when


@click.group()
def tokens() -> None:
    """Machine tokens for the JSON API: the DNS filter's feeds, DHCP lease uploads."""


@tokens.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["addresses:read", "leases:write", "snapshot:read"]),
    help="What the token may do (repeat for more than one).",
)
@click.option("--by", "created_by", required=True, help="Who creates it (a person or a name).")
@click.option("--days", type=click.IntRange(1, 3650), help="Expire after this many days.")
@click.option("--expires", help="Expire at this date-time (ISO 8601).")
def tokens_create(
    name: str, scopes: tuple[str, ...], created_by: str, days: int | None, expires: str | None
) -> None:
    """Make token NAME and print its secret (shown this once; keep it in the program's config)."""
    setup()
    from django.utils import timezone

    from schoolgate.control.api.tokens import TokenError, create

    if days and expires:
        fail("give --days or --expires, not both")
    ends = when(expires) or (timezone.now() + dt.timedelta(days=days) if days else None)
    try:
        token, secret = create(name, list(scopes), created_by=created_by, expires=ends)
    except TokenError as exc:
        fail(str(exc))
    until = f"until {token.expires:%Y-%m-%d %H:%M %Z}" if token.expires else "with no expiry"
    click.echo(f"token {token.name} ({', '.join(token.scopes)}) {until}", err=True)
    click.echo(
        "the secret is shown only now; send it as 'Authorization: Bearer <secret>':", err=True
    )
    click.echo(secret)


@tokens.command("list")
def tokens_list() -> None:
    """Every token: scopes, when made, by whom, last used, and whether it still works."""
    setup()
    from django.utils import timezone

    from schoolgate.control.api.tokens import tokens as all_tokens
    from schoolgate.control.api.tokens import usable

    now = timezone.now()
    for t in all_tokens():
        state = "usable" if usable(t, now) else ("revoked" if t.revoked else "expired")
        used = f"{t.last_used:%Y-%m-%d %H:%M}" if t.last_used else "never"
        ends = f"{t.expires:%Y-%m-%d %H:%M}" if t.expires else "—"
        click.echo(
            f"  {t.name:<24} {','.join(t.scopes):<30} {state:<8} made {t.created:%Y-%m-%d} "
            f"by {t.created_by}; expires {ends}; last used {used}"
        )


@tokens.command("revoke")
@click.argument("name")
def tokens_revoke(name: str) -> None:
    """Revoke token NAME now; requests with it are refused from the next one on."""
    setup()
    from schoolgate.control.api.tokens import TokenError, revoke

    try:
        revoke(name)
    except TokenError as exc:
        fail(str(exc))
    click.echo(f"token {name} revoked")
