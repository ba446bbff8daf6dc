"""`schoolgate console`: set up the demo district and serve the staff console on loopback.

`--setup-only` stops after migrating, importing the demo district and printing the sign-ins,
which is what the tests run; without it the console serves until Ctrl-C."""

from __future__ import annotations

import os

import click

from schoolgate.control.cli.common import publish_after, setup

HOST = "127.0.0.1"  # loopback only; put a TLS proxy in front to serve a network (docs/console.md)


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--students", default=500, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True)
@click.option("--setup-only", is_flag=True, help="Set up and print the sign-ins; do not serve.")
def console(port: int, students: int, seed: int, setup_only: bool) -> None:
    """Load the demo district (once), make a sign-in per role, and serve the staff console."""
    # Plain HTTP on loopback: cookies cannot be Secure here (set before settings are read).
    os.environ.setdefault("SCHOOLGATE_SECURE_COOKIES", "false")
    setup()
    from schoolgate.control.console.demo import create_sign_ins, load_district

    loaded = load_district(students, seed)
    if loaded is not None:
        click.echo(f"demo district imported: {loaded.summary()}")
    sign_ins = create_sign_ins()
    publish_after()
    url = f"http://{HOST}:{port}/"
    click.echo(f"\nstaff console: {url}\ndemo sign-ins (new passwords every run):")
    for s in sign_ins:
        click.echo(f"  {s.role:<19} {s.username:<14} {s.password}   ({s.name})")
    if setup_only:
        return
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    click.echo("\nserving until Ctrl-C")
    try:
        run(HOST, port, get_wsgi_application(), threading=True)
    except KeyboardInterrupt:
        click.echo("stopped")


if __name__ == "__main__":
    console()
