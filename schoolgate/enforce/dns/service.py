"""The resolver as a running service: sources loaded, servers started, reloads watched.

`Resolver` ties the parts together for the CLI and the tests. Start-up refuses bad input loudly
(a broken pack, networks file or list is an error naming the file and line); after that a reload
that fails keeps the last good version serving and reports why. If no policy can be loaded at
all (a published snapshot missing or damaged), the resolver still starts and fails closed:
networks marked `failure: closed` (the default) get the block page until a snapshot arrives.

The policy comes from one of three sources: `--pack` (compiled here), `--snapshot` (a published
file, reloaded when it changes) or `--snapshot-url` (the control plane over HTTP with a bearer
token, `enforce/follow.py`). An HTTP fetch may take seconds, so it runs in a worker thread and
only the swap of the Decider happens on the event loop: queries are answered meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from schoolgate.enforce.blockpage.server import BlockPageServer
from schoolgate.enforce.dns.builtin import load_builtins
from schoolgate.enforce.dns.cache import ResponseCache
from schoolgate.enforce.dns.handler import BlockAnswer, Handler
from schoolgate.enforce.dns.policy import Decider, Outcome, PolicyState, Verdict
from schoolgate.enforce.dns.recent import RecentBlocks
from schoolgate.enforce.dns.server import DnsServer
from schoolgate.enforce.dns.sources import (
    ListsSource,
    SourceError,
    Stamp,
    load_networks_file,
    load_pack_snapshot,
    load_snapshot_file,
    pack_files,
    stamp,
)
from schoolgate.enforce.dns.upstream import UpstreamPool
from schoolgate.enforce.dns.wire import TYPE_A
from schoolgate.enforce.follow import FollowError, SnapshotFetcher, read_token_file, shown_url
from schoolgate.engine import Snapshot
from schoolgate.spool import FsyncPolicy, SpoolWriter


@dataclass
class ResolverOptions:
    listen: tuple[str, int]
    upstreams: list[tuple[str, int]]
    pack: str | None = None
    snapshot: Path | None = None
    snapshot_url: str | None = None
    token_file: Path | None = None
    lists: Path | None = None
    networks: Path | None = None
    spool: Path | None = None
    blockpage: tuple[str, int] | None = None
    block_addresses: list[str] = field(default_factory=list)
    block_mode: str = Outcome.BLOCKPAGE
    block_ttl: int = 10
    cache_entries: int = 100_000
    poll_interval: float = 2.0
    upstream_timeout: float = 1.5
    fsync: FsyncPolicy = FsyncPolicy.INTERVAL
    work_dir: Path | None = None
    fetch_timeout: float = 10.0


# The last good snapshot fetched from --snapshot-url, kept in the work dir across restarts.
CACHE_NAME = "snapshot-cache.json"


def _say(message: str) -> None:
    print(f"schoolgate dns: {message}", file=sys.stderr, flush=True)


class Resolver:
    def __init__(self, options: ResolverOptions, log: Callable[[str], None] = _say) -> None:
        if options.pack is None and options.snapshot is None and options.snapshot_url is None:
            raise SourceError(
                "give --pack (standalone), --snapshot (a published file) or --snapshot-url "
                "(the control plane)"
            )
        if options.snapshot is not None and options.snapshot_url is not None:
            raise SourceError("give --snapshot or --snapshot-url, not both")
        if options.token_file is not None and options.snapshot_url is None:
            raise SourceError("--token-file is the token for --snapshot-url")
        self.options = options
        self.log = log
        self.builtins = load_builtins()
        self.reload_errors: list[str] = []
        self._stamps: dict[str, Stamp] = {}
        self._work = options.work_dir or Path(tempfile.mkdtemp(prefix="schoolgate-dns-"))
        self.fetcher = self._fetcher()
        self._follow_error: str | None = None
        self.snapshot = self._initial_snapshot()
        self.networks = load_networks_file(options.networks)
        self._stamps["networks"] = stamp(self._networks_paths())
        self.lists = ListsSource.open(options.lists, self._work) if options.lists else None
        self.spool = (
            SpoolWriter(options.spool, fsync=options.fsync) if options.spool is not None else None
        )
        self.decider = Decider(self._state())
        self.recent = RecentBlocks()
        self.handler = Handler(
            lambda: self.decider,
            cache=ResponseCache(options.cache_entries),
            spool=self.spool,
            recent=self.recent,
            block=self._block_answer(),
        )
        self.server: DnsServer | None = None
        self.blockpage: BlockPageServer | None = None
        self.address: tuple[str, int] | None = None
        self.blockpage_address: tuple[str, int] | None = None
        self._poller: asyncio.Task[None] | None = None

    # -- sources -----------------------------------------------------------------------------

    def _fetcher(self) -> SnapshotFetcher | None:
        """The control plane's snapshot, if `--snapshot-url`: the token read once, here, from
        an owner-only file; the last good snapshot cached in the work dir."""
        options = self.options
        if options.snapshot_url is None:
            return None
        try:
            token = read_token_file(options.token_file) if options.token_file else None
        except FollowError as exc:
            raise SourceError(str(exc)) from None
        self._work.mkdir(parents=True, exist_ok=True)
        return SnapshotFetcher(
            options.snapshot_url,
            timeout=options.fetch_timeout,
            token=token,
            cache=self._work / CACHE_NAME,
        )

    def _networks_paths(self) -> list[Path]:
        return [self.options.networks] if self.options.networks else []

    def _policy_paths(self) -> list[Path]:
        paths = [self.options.snapshot] if self.options.snapshot else []
        if self.options.pack:
            paths += pack_files(self.options.pack)
        return paths

    def _initial_snapshot(self) -> Snapshot | None:
        self._stamps["policy"] = stamp(self._policy_paths())
        if self.fetcher is not None:
            # Blocking is fine here: nothing is served yet. Unreachable: the cached copy.
            where = shown_url(self.fetcher.url)
            if self.fetcher.fetch():
                self.log(f"{where}: policy revision {self.fetcher.snapshot_revision} fetched")
            elif self.fetcher.last_error:
                self._follow_error = self.fetcher.last_error
                self.log(self.fetcher.last_error)
                if self.fetcher.from_cache:
                    self.log(
                        f"starting from the last good snapshot ({CACHE_NAME}, revision "
                        f"{self.fetcher.snapshot_revision}) until {where} answers"
                    )
        try:
            return self._load_policy()
        except SourceError as exc:
            if self.options.pack is not None:
                raise
            self.log(f"{exc}; no policy loaded: failing closed until a valid snapshot arrives")
            return None

    def _load_policy(self) -> Snapshot:
        options = self.options
        if self.fetcher is not None:
            if self.fetcher.snapshot is not None:
                return self.fetcher.snapshot
            if options.pack is None:
                raise SourceError(f"{shown_url(self.fetcher.url)}: no snapshot fetched yet")
            self.log(f"{shown_url(self.fetcher.url)}: no snapshot yet; compiling the pack instead")
        if options.snapshot is not None:
            try:
                return load_snapshot_file(options.snapshot)
            except SourceError:
                if options.pack is None:
                    raise
                self.log(f"{options.snapshot}: unusable; compiling the pack instead")
        if options.pack is None:
            raise SourceError("no --pack to fall back on")
        return load_pack_snapshot(options.pack)

    def _state(self) -> PolicyState:
        lookup = None
        revision = None
        if self.lists is not None:
            index = self.lists.index
            revision = index.revision

            def lookup(name: str) -> frozenset[str]:
                return index.lookup_bytes(name.encode("ascii", "replace")).categories

        return PolicyState(
            snapshot=self.snapshot,
            categories=lookup,
            networks=self.networks,
            builtins=self.builtins,
            block_mode=self.options.block_mode,
            index_revision=revision,
        )

    def _block_answer(self) -> BlockAnswer:
        v4: ipaddress.IPv4Address | None = None
        v6: ipaddress.IPv6Address | None = None
        addresses = list(self.options.block_addresses)
        if not addresses and self.options.blockpage is not None:
            addresses = [self.options.blockpage[0]]
        for text in addresses:
            address = ipaddress.ip_address(text)
            if address.is_unspecified:
                raise SourceError(
                    f"{text} is not an address clients can reach; give --block-address"
                )
            if isinstance(address, ipaddress.IPv4Address):
                v4 = address
            else:
                v6 = address
        return BlockAnswer(v4, v6, self.options.block_ttl)

    def reload(self, force: bool = False) -> bool:
        """Re-read whatever changed; keep the last good version of anything that fails."""
        changed = False
        policy_stamp = stamp(self._policy_paths())
        if force or policy_stamp != self._stamps["policy"]:
            self._stamps["policy"] = policy_stamp
            try:
                fresh = self._load_policy()
                changed = fresh.revision != (self.snapshot.revision if self.snapshot else None)
                self.snapshot = fresh
                if changed:
                    self.log(f"policy revision {fresh.short_revision} loaded")
            except SourceError as exc:
                self._refused(exc)
        networks_stamp = stamp(self._networks_paths())
        if force or networks_stamp != self._stamps["networks"]:
            self._stamps["networks"] = networks_stamp
            try:
                self.networks = load_networks_file(self.options.networks)
                changed = True
                self.log("networks file loaded")
            except SourceError as exc:
                self._refused(exc)
        if self.lists is not None:
            try:
                if self.lists.reload():
                    changed = True
                    self.log(f"lists revision {self.lists.index.revision[:12]} loaded")
            except SourceError as exc:
                self._refused(exc)
        if changed:
            self.decider = Decider(self._state())
        return changed

    def _refused(self, exc: Exception | str) -> None:
        message = f"reload refused, keeping the last good version: {exc}"
        self.reload_errors.append(message)
        del self.reload_errors[:-20]
        self.log(message)

    # -- the block page's view ---------------------------------------------------------------

    def explain(self, client: str, host: str) -> Verdict | None:
        """Why `host` is blocked for `client`: the resolver's recent decision, or ask again."""
        name = host.lower().rstrip(".")
        found = self.recent.find(client, name)
        if found is not None:
            return found[0]
        verdict = self.decider.verdict(client, name, TYPE_A, self.handler.clock())
        return verdict if verdict.blocked else None

    # -- running -----------------------------------------------------------------------------

    async def start(self) -> tuple[str, int]:
        options = self.options
        pool = UpstreamPool(options.upstreams, timeout=options.upstream_timeout)
        self.server = DnsServer(lambda: self.handler, pool)
        self.address = await self.server.start(*options.listen)
        if options.blockpage is not None:
            page = BlockPageServer(self.explain, spool=self.spool)
            self.blockpage = page
            self.blockpage_address = await page.start(*options.blockpage)
        loop = asyncio.get_running_loop()
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
        self._poller = asyncio.create_task(self._poll())
        return self.address

    def _on_sighup(self) -> None:
        self.log("SIGHUP: reloading")
        self.reload(force=True)

    async def follow(self) -> bool:
        """One poll of `--snapshot-url`: the GET in a worker thread (it may take seconds and
        must not hold up answers), the swap here on the loop. A failed fetch keeps the last good
        snapshot; each new failure is reported once (reload_errors, log), never with the token."""
        fetcher = self.fetcher
        if fetcher is None:
            return False
        new = await asyncio.to_thread(fetcher.fetch)
        error = fetcher.last_error
        if error != self._follow_error:
            if error is not None and new:  # in use, but its copy could not be kept
                self.reload_errors.append(error)
                del self.reload_errors[:-20]
                self.log(error)
            elif error is not None:
                self._refused(error)
            elif self._follow_error is not None:
                self.log(f"{shown_url(fetcher.url)}: answering again")
            self._follow_error = error
        if not new or fetcher.snapshot is None:
            return False
        self.snapshot = fetcher.snapshot
        self.decider = Decider(self._state())
        self.log(f"policy revision {self.snapshot.short_revision} fetched")
        return True

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.options.poll_interval)
            try:
                await self.follow()
                self.reload()
                if self.spool is not None:
                    self.spool.sync()
            except Exception as exc:  # never let the watcher die
                self.log(f"reload check failed: {exc!r}")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
        if self.server is not None:
            await self.server.stop()
        if self.blockpage is not None:
            await self.blockpage.stop()
        if self.spool is not None:
            self.spool.close()
