"""`schoolgate dns`: run the filtering resolver (docs/dns.md)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from pathlib import Path

import click

from schoolgate.enforce.dns.policy import Outcome
from schoolgate.enforce.dns.service import Resolver, ResolverOptions
from schoolgate.enforce.dns.sources import SourceError
from schoolgate.spool import FsyncPolicy, SpoolError


def parse_address(text: str, default_port: int = 53) -> tuple[str, int]:
    """`ADDR:PORT`, `[V6ADDR]:PORT`, or an address alone (the default port)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, ""
    try:
        number = int(port) if port else default_port
    except ValueError:
        raise click.BadParameter(f"{text!r}: the port is not a number") from None
    if not host or not 0 <= number <= 65535:
        raise click.BadParameter(f"{text!r}: expected ADDR:PORT")
    return host, number


class _Address(click.ParamType[tuple[str, int], object]):
    name = "ADDR:PORT"

    def __init__(self, default_port: int) -> None:
        self.default_port = default_port

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, int]:
        if isinstance(value, tuple):
            return value  # already converted (a default)
        return parse_address(str(value), self.default_port)


@click.command("dns")
@click.option("--listen", type=_Address(53), required=True, help="Address to answer on.")
@click.option(
    "--upstream", type=_Address(53), multiple=True, required=True, help="Upstream, in order."
)
@click.option("--pack", help="Policy pack (name or path) for standalone use.")
@click.option("--snapshot", type=click.Path(path_type=Path), help="Published snapshot file.")
@click.option(
    "--snapshot-url",
    help="Follow the control plane's snapshot over HTTP(S), e.g. "
    "https://console.example.org/api/v1/snapshot (needs --work-dir).",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File (mode 0600) holding the bearer token for --snapshot-url.",
)
@click.option(
    "--work-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the resolver keeps its files: the last good snapshot from --snapshot-url, "
    "lists imported at start.",
)
@click.option(
    "--lists", type=click.Path(path_type=Path, exists=True), help="Compiled index, or lists."
)
@click.option("--networks", type=click.Path(path_type=Path, exists=True), help="Networks file.")
@click.option("--blockpage", type=_Address(80), help="Serve the block page on ADDR:PORT.")
@click.option("--block-address", multiple=True, help="Address blocked names resolve to.")
@click.option(
    "--block-mode",
    type=click.Choice([Outcome.BLOCKPAGE, Outcome.NXDOMAIN]),
    default=Outcome.BLOCKPAGE,
    show_default=True,
    help="Answer blocked names with the block page's address or NXDOMAIN.",
)
@click.option("--spool", type=click.Path(path_type=Path), help="Query-log spool directory.")
@click.option(
    "--fsync",
    type=click.Choice([p.value for p in FsyncPolicy]),
    default=FsyncPolicy.INTERVAL.value,
    show_default=True,
)
@click.option("--cache-size", default=100_000, show_default=True, help="Cached answers.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between reload checks.")
def dns(
    listen: tuple[str, int],
    upstream: tuple[tuple[str, int], ...],
    pack: str | None,
    snapshot: Path | None,
    snapshot_url: str | None,
    token_file: Path | None,
    work_dir: Path | None,
    lists: Path | None,
    networks: Path | None,
    blockpage: tuple[str, int] | None,
    block_address: tuple[str, ...],
    block_mode: str,
    spool: Path | None,
    fsync: str,
    cache_size: int,
    poll: float,
) -> None:
    """Run the filtering DNS resolver: every query decided by the policy, logged, answered."""
    if snapshot_url is not None and work_dir is None:
        # Without a lasting place for the last good snapshot, a restart while the control
        # plane is down would start with no policy at all.
        raise click.UsageError("--snapshot-url needs --work-dir (where the last good one is kept)")
    options = ResolverOptions(
        listen=listen,
        upstreams=list(upstream),
        pack=pack,
        snapshot=snapshot,
        snapshot_url=snapshot_url,
        token_file=token_file,
        work_dir=work_dir,
        lists=lists,
        networks=networks,
        spool=spool,
        blockpage=blockpage,
        block_addresses=list(block_address),
        block_mode=block_mode,
        cache_entries=cache_size,
        poll_interval=poll,
        fsync=FsyncPolicy(fsync),
    )
    try:
        resolver = Resolver(options)
    except (SourceError, SpoolError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        asyncio.run(_serve(resolver))
    except OSError as exc:
        raise click.ClickException(f"cannot listen: {exc}") from None


async def _serve(resolver: Resolver) -> None:
    host, port = await resolver.start()
    # Everything loaded so far lives as long as the process: keep the collector off it, and
    # let it run less often, so a full collection does not pause answering (bench/dns).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    where = f"{host}:{port}"
    page = resolver.blockpage_address
    extra = f", block page on {page[0]}:{page[1]}" if page else ""
    print(f"schoolgate dns: listening on {where} (udp, tcp){extra}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await resolver.stop()
