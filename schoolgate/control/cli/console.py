"""`schoolgate console`: set up the demo district and serve the staff console on loopback, with
every enforcement point there is beside it — so a suspension made in the console can be seen
blocking the next DNS query a minute later, on one machine, unprivileged.

What runs (until Ctrl-C): the console (Django's threaded server), the filtering DNS resolver
and its block page (following the snapshot the console publishes, logging to `<data>/spool`),
and the spool ingesters that turn that log into the event store and review requests.
`--setup-only` stops after migrating, importing the demo district and printing the sign-ins,
which is what the tests run."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import click

from schoolgate.control.cli.common import publish_after, setup

HOST = "127.0.0.1"  # loopback only; put a TLS proxy in front to serve a network (docs/console.md)
# Spool readers started beside the resolver when their app is installed (docs/console.md).
INGESTERS = ("schoolgate.control.activity.ingest", "schoolgate.control.reviews.ingest")
# A few names for the demo's category index, so `dig` shows a category block at once.
DEMO_LISTED = {
    "games.example": "games",
    "chat.example": "chat",
    "adult.example": "adult",
    "proxy.example": "redirector",
    "arcade.example": "games",
}


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--students", default=500, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=1, show_default=True)
@click.option("--setup-only", is_flag=True, help="Set up and print the sign-ins; do not serve.")
@click.option(
    "--demo-activity/--no-demo-activity",
    default=True,
    show_default=True,
    help="With the district's first import, invent two weeks of filter activity to look at.",
)
@click.option(
    "--dns-port",
    default=5300,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The resolver's port on 127.0.0.1 (0: do not start it).",
)
@click.option(
    "--blockpage-port",
    default=8053,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="The block page's port on 127.0.0.1.",
)
@click.option(
    "--upstream",
    multiple=True,
    help="Resolver to forward allowed names to, ADDR[:PORT] (default: /etc/resolv.conf's).",
)
@click.option(
    "--lists",
    type=click.Path(path_type=Path, exists=True),
    help="Compiled category index (default: <data>/lists.idx, else a small demo index).",
)
def console(
    port: int,
    students: int,
    seed: int,
    setup_only: bool,
    demo_activity: bool,
    dns_port: int,
    blockpage_port: int,
    upstream: tuple[str, ...],
    lists: Path | None,
) -> None:
    """Load the demo district (once), make a sign-in per role, and serve the staff console with
    the DNS resolver and its block page."""
    # Plain HTTP on loopback: cookies cannot be Secure here (set before settings are read).
    os.environ.setdefault("SCHOOLGATE_SECURE_COOKIES", "false")
    setup()
    from schoolgate.control.console.demo import create_sign_ins, load_district

    loaded = load_district(students, seed)
    if loaded is not None:
        click.echo(f"demo district imported: {loaded.summary()}")
        _build_networks()
    sign_ins = create_sign_ins()
    publish_after()
    if loaded is not None and demo_activity:
        _seed_activity(seed)
    url = f"http://{HOST}:{port}/"
    click.echo(f"\nstaff console: {url}\ndemo sign-ins (new passwords every run):")
    for s in sign_ins:
        click.echo(f"  {s.role:<19} {s.username:<14} {s.password}   ({s.name})")
    if setup_only:
        return
    from django.conf import settings
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    data = Path(settings.DATA_DIR)
    stop = threading.Event()
    resolver = None
    if dns_port:
        resolver = _start_resolver(
            dns_port,
            blockpage_port,
            upstreams=[_address(u) for u in upstream] or _system_upstreams(),
            lists=lists or _lists(data),
            snapshot=Path(settings.SCHOOLGATE_SNAPSHOT),
            networks=_networks(data),
            spool=data / "spool",
            work=data / "dns",
        )
    threads = _start_ingesters(data / "spool", stop) if resolver is not None else []
    # A service manager's SIGTERM stops everything the way Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    click.echo("\nserving until Ctrl-C")
    try:
        run(HOST, port, get_wsgi_application(), threading=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if resolver is not None:
            resolver.stop()
        for thread in threads:
            thread.join(5)
        click.echo("stopped")


def _build_networks() -> None:
    from django.conf import settings

    from schoolgate.control.console.demo_networks import build_networks

    click.echo(build_networks(Path(settings.DATA_DIR)).summary())


def _seed_activity(seed: int) -> None:
    from django.conf import settings

    from schoolgate.control.console.demo_history import seed_history

    seeded = seed_history(Path(settings.DATA_DIR), Path(settings.SCHOOLGATE_SNAPSHOT), seed)
    if seeded is not None:
        click.echo(seeded.summary())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# ------------------------------------------------------------------ the resolver


class _ResolverThread:
    """The resolver on an event loop of its own, beside Django's server in the main thread."""

    def __init__(self, options: Any) -> None:
        from schoolgate.enforce.dns.service import Resolver

        self.resolver = Resolver(options)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="schoolgate-dns", daemon=True
        )
        self.thread.start()
        self.address = self._call(self.resolver.start())

    def _call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout=30)

    def stop(self) -> None:
        try:
            self._call(self.resolver.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


def _start_resolver(
    dns_port: int,
    blockpage_port: int,
    *,
    upstreams: list[tuple[str, int]],
    lists: Path,
    snapshot: Path,
    networks: Path,
    spool: Path,
    work: Path,
) -> _ResolverThread | None:
    from schoolgate.enforce.dns.service import ResolverOptions
    from schoolgate.enforce.dns.sources import SourceError
    from schoolgate.spool import SpoolError

    work.mkdir(parents=True, exist_ok=True)
    options = ResolverOptions(
        listen=(HOST, dns_port),
        upstreams=upstreams,
        snapshot=snapshot,  # follows what the console publishes (file hot reload)
        lists=lists,
        networks=networks,
        spool=spool,
        blockpage=(HOST, blockpage_port),
        work_dir=work,
    )
    try:
        running = _ResolverThread(options)
    except (SourceError, SpoolError, OSError, ValueError) as exc:
        click.echo(f"\nDNS resolver not started: {exc}", err=True)
        return None
    host, bound = running.address
    page = running.resolver.blockpage_address
    click.echo(f"\nDNS resolver: {host}:{bound} (udp, tcp), upstream {_show(upstreams)}")
    if page is not None:
        click.echo(f"block page:   http://{page[0]}:{page[1]}/")
    click.echo(f"query log:    {spool}")
    click.echo(f"networks:     {networks} (from the subnets on record)")
    _say_loopback(host, bound)
    return running


def _networks(data: Path) -> Path:
    from schoolgate.control.console.demo_networks import write_networks_file

    return write_networks_file(data / "networks.yaml")


def _say_loopback(host: str, port: int) -> None:
    """How to ask as each demo sign-in: their loopback address is theirs in the records."""
    from schoolgate.control.console.demo_networks import loopback_addresses

    given = loopback_addresses()
    if not given:
        click.echo(f"  try: dig @{host} -p {port} games.example")
        return
    click.echo("  ask as a demo sign-in from its loopback address (dig -b):")
    for role, address in sorted(given.items(), key=lambda item: item[1]):
        source = "" if address == "127.0.0.1" else f" -b {address}"
        click.echo(f"    {role:<19} dig @{host} -p {port}{source} games.example")


def _lists(data: Path) -> Path:
    """<data>/lists.idx (`schoolgate lists import … -o`), else a small demo index: without any
    index every name's category is unknown and the pack fails closed for students."""
    imported = data / "lists.idx"
    if imported.exists():
        return imported
    from schoolgate.classify.domains.build import build_index
    from schoolgate.lists.model import Entry

    demo = data / "demo-lists.idx"
    build_index([Entry(name, category) for name, category in DEMO_LISTED.items()], demo)
    return demo


def _address(text: str) -> tuple[str, int]:
    from schoolgate.enforce.dns.cli import parse_address

    return parse_address(text)


def _system_upstreams() -> list[tuple[str, int]]:
    """The nameservers of /etc/resolv.conf (IPv4 and IPv6), else Quad9."""
    found = []
    try:
        for line in Path("/etc/resolv.conf").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                found.append((parts[1].split("%")[0], 53))
    except OSError:
        pass
    return found or [("9.9.9.9", 53)]


def _show(upstreams: list[tuple[str, int]]) -> str:
    return ", ".join(f"{h}:{p}" for h, p in upstreams)


# ------------------------------------------------------------------ spool ingesters


def _start_ingesters(spool: Path, stop: threading.Event) -> list[threading.Thread]:
    """One daemon thread per ingester whose module is installed.

    The ImportError guard is transitional: the activity and reviews apps are landing beside
    this command; once both are in, it goes."""
    threads = []
    for name in INGESTERS:
        try:
            follow: Callable[[Path, threading.Event], Any] = importlib.import_module(name).follow
        except ImportError:
            continue
        thread = threading.Thread(
            target=_follow, args=(follow, spool, stop), name=name, daemon=True
        )
        thread.start()
        threads.append(thread)
        click.echo(f"spool reader: {name}")
    return threads


def _follow(
    follow: Callable[[Path, threading.Event], Any], spool: Path, stop: threading.Event
) -> None:
    from django.db import connection

    try:
        follow(spool, stop)
    except Exception as exc:  # a reader that dies must say so, not take the console with it
        click.echo(f"spool reader stopped: {exc!r}", err=True)
    finally:
        connection.close()


if __name__ == "__main__":
    console()
