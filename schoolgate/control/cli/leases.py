"""`schoolgate leases import: DHCP leases → who is behind each address.`"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import fail, publish_after, setup

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def leases() -> None:
    """DHCP leases → who is behind each address."""


@leases.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "kind", type=click.Choice(["auto", "isc", "kea"]), default="auto", show_default=True
)
def leases_import(file: Path, kind: str) -> None:
    """Read FILE (ISC dhcpd.leases or Kea leases4.csv) and map active leases to people."""
    setup()
    from schoolgate.control.networks.leases import LeaseError
    from schoolgate.control.networks.services import import_leases

    try:
        result = import_leases(file, kind)
    except LeaseError as exc:
        click.echo(str(exc), err=True)
        fail(f"{file.name}: not imported; nothing was changed")
    click.echo(
        f"{file.name} ({result.kind}): {result.leases} leases, {result.active} active, "
        f"{result.matched} matched to people, {result.unknown_devices} unknown devices, "
        f"{result.released} released"
    )
    publish_after()
