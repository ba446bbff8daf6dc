"""`schoolgate snapshot publish|serve.`"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from schoolgate.control.cli.common import fail, setup

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def snapshot() -> None:
    """Publish the snapshot (pack + records) and serve it to enforcement points."""


@snapshot.command("publish")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: the data directory's snapshot.json).",
)
def snapshot_publish(output: Path | None) -> None:
    """Compile the pack with the current records and write the snapshot atomically."""
    setup()
    from schoolgate.control.publication.services import publish
    from schoolgate.policy.problems import PackError

    try:
        result = publish(output)
    except PackError as exc:
        fail(f"the pack does not load; the last snapshot stays:\n{exc}")
    state = "written" if result.written else "unchanged"
    click.echo(
        f"{result.path}: revision {result.revision} ({state}; {result.users} users, "
        f"{result.seconds:.2f} s)"
    )


@snapshot.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8731, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--publisher/--no-publisher",
    default=True,
    show_default=True,
    help="Republish when records change (watching the change counter).",
)
@click.option("--interval", default=1.0, show_default=True, help="Seconds between checks.")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Bearer tokens to accept: one SHA-256 hex digest or secret per line (docs/dns.md). "
    "Required to serve on anything but loopback.",
)
def snapshot_serve(
    host: str, port: int, publisher: bool, interval: float, token_file: Path | None
) -> None:
    """Serve the snapshot over HTTP (GET /snapshot.json, ETag = revision, 304 on a match).

    The snapshot holds student records: with --token-file only requests with one of its tokens
    (`Authorization: Bearer …`) get it (401 otherwise); without, it serves loopback only."""
    from schoolgate.control.publication.server import (
        SnapshotServer,
        TokenFile,
        TokenFileError,
        check_bind,
    )

    # Both checks before setup(): a refused configuration touches neither database nor port.
    try:
        tokens = TokenFile(token_file) if token_file is not None else None
        check_bind(host, tokens)
    except (TokenFileError, ValueError) as exc:
        fail(str(exc))
    setup()
    from schoolgate.control.publication.publisher import Publisher
    from schoolgate.control.publication.services import snapshot_path

    path = snapshot_path()
    stop = threading.Event()
    if publisher:
        worker = Publisher(path, interval=interval)
        threading.Thread(target=worker.run, args=(stop,), daemon=True, name="publisher").start()
    server = SnapshotServer((host, port), path, tokens)
    extra = " (publishing on change)" if publisher else ""
    extra += f", tokens from {token_file}" if token_file is not None else ", loopback, no token"
    click.echo(f"serving {path} at {server.url}{extra}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
