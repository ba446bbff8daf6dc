"""`schoolgate accounts oidc-list|oidc-unbind`: the provider accounts bound to console accounts.

An OIDC sign-in binds the provider's subject (issuer, `sub`) to the person's console account the
first time, and refuses any other subject for that person afterwards (docs/console.md). When a
person really has a new provider account — or the district registered the console anew at a
provider that gives each application its own `sub`, as Entra ID does — an administrator unbinds
here, and the next sign-in binds again."""

from __future__ import annotations

import click

from schoolgate.control.cli.common import fail, lookup, setup


@click.group()
def accounts() -> None:
    """Console accounts: the OpenID provider accounts bound to them."""


@accounts.command("oidc-list")
@click.argument("person", required=False)
def accounts_oidc_list(person: str | None) -> None:
    """The bound provider accounts of PERSON (id, username or e-mail), or of everyone."""
    setup()
    from schoolgate.control.accounts.oidc.linking import identities

    for i in identities(lookup(person) if person else None):
        who = i.account.person
        click.echo(
            f"  {who.sourced_id:<24} {who.given_name} {who.family_name} — {i.provider} "
            f"{i.issuer} sub {i.subject}; first {i.first_seen:%Y-%m-%d %H:%M}, "
            f"last {i.last_seen:%Y-%m-%d %H:%M}"
        )


@accounts.command("oidc-unbind")
@click.argument("person", required=False)
@click.option("--provider", "provider_id", default="", help="Only those of this provider id.")
@click.option(
    "--everyone", is_flag=True, help="Every person's (needs --provider): a re-registered app."
)
def accounts_oidc_unbind(person: str | None, provider_id: str, everyone: bool) -> None:
    """Unbind PERSON's provider accounts so their next sign-in binds the account it comes from.

    Check first that the roster record is right: after unbinding, the claim (an e-mail address)
    alone names the person again for one sign-in."""
    setup()
    from schoolgate.control.accounts.oidc.linking import unbind

    if everyone == bool(person):
        fail("name a PERSON, or give --everyone with --provider")
    if everyone and not provider_id:
        fail("--everyone needs --provider")
    target = lookup(person) if person else None
    count = unbind(target, provider_id)
    whose = f"{target.given_name} {target.family_name}" if target else "everyone"
    click.echo(f"unbound {count} provider account{'s' if count != 1 else ''} of {whose}")
