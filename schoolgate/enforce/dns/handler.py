"""One DNS exchange as a pure function: query bytes in, an answer or "ask upstream" out.

`Handler.handle` never touches a socket. It returns a `Reply` (send these bytes) or a `Forward`
(send `upstream_query` to an upstream, then give its answer, or None on failure, to `finish`
for the bytes to send). Tests drive whole exchanges through it with no network; the asyncio layer
in `server.py` only moves bytes. The query-log record is appended before the answer exists, so
an answer that was sent has always been logged.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import dns.exception
import dns.message
import dns.rrset

from schoolgate.enforce.dns import responses as R
from schoolgate.enforce.dns.cache import CacheKey, ResponseCache
from schoolgate.enforce.dns.layout import layout
from schoolgate.enforce.dns.memo import Memo
from schoolgate.enforce.dns.policy import Decider, Outcome, Verdict
from schoolgate.enforce.dns.recent import RecentBlocks
from schoolgate.enforce.dns.wire import (
    CLASS_IN,
    HEADER,
    NXDOMAIN,
    REFUSED,
    RR_FIXED,
    SERVFAIL,
    TYPE_A,
    TYPE_AAAA,
    TYPE_AXFR,
    TYPE_IXFR,
    BadQuery,
    Drop,
    Query,
    name_to_wire,
    parse_query,
)
from schoolgate.spool import SpoolWriter

TCP_LIMIT: Final = 65535
PARSED_LIMIT: Final = 65_536  # distinct query messages remembered parsed (~15 MB at most)
UPSTREAM_PAYLOAD: Final = 1232
_OPT_QUERY: Final = b"\x00" + RR_FIXED.pack(41, UPSTREAM_PAYLOAD, 0, 0)
_OPT_QUERY_DO: Final = b"\x00" + RR_FIXED.pack(41, UPSTREAM_PAYLOAD, 0x8000, 0)


@dataclass(frozen=True, slots=True)
class Reply:
    wire: bytes


@dataclass(frozen=True, slots=True)
class Forward:
    """Ask an upstream `upstream_query` (ID 0: the caller picks one), then call `finish`."""

    upstream_query: bytes
    qname: str
    qtype: int
    finish: Callable[[bytes | None], bytes]


@dataclass(frozen=True, slots=True)
class BlockAnswer:
    """How blocked names are answered: the block page's addresses and the answers' TTL."""

    ipv4: ipaddress.IPv4Address | None = None
    ipv6: ipaddress.IPv6Address | None = None
    ttl: int = 10  # short, so a lifted block or a new window is seen within seconds


@dataclass
class Stats:
    queries: int = 0
    malformed: int = 0
    dropped: int = 0
    blocked: int = 0
    forwarded: int = 0
    cache_hits: int = 0
    upstream_failures: int = 0
    log_failures: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


class Handler:
    def __init__(
        self,
        decider: Callable[[], Decider],
        *,
        cache: ResponseCache | None = None,
        spool: SpoolWriter | None = None,
        recent: RecentBlocks | None = None,
        block: BlockAnswer | None = None,
        server_payload: int = R.SERVER_PAYLOAD,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._decider = decider
        self.cache = cache if cache is not None else ResponseCache()
        self.spool = spool
        self.recent = recent
        self.block = block or BlockAnswer()
        self.server_payload = server_payload
        self.clock = clock
        self.stats = Stats()
        self._pending_log: list[bytes] = []
        self._parsed: Memo[bytes, Query] = Memo(PARSED_LIMIT)
        # the records of blocked answers never change for a handler: build them once
        block = self.block
        self._soa = (R.rr_soa(block.ttl),)
        self._block_records: dict[int, tuple[bytes, ...]] = {}
        if block.ipv4 is not None:
            self._block_records[TYPE_A] = (R.rr_address(block.ipv4, block.ttl),)
        if block.ipv6 is not None:
            self._block_records[TYPE_AAAA] = (R.rr_address(block.ipv6, block.ttl),)

    def handle(self, data: bytes, client: str, *, tcp: bool = False) -> Reply | Forward | None:
        """The answer to one message from `client` (None: send nothing); logged on return."""
        try:
            return self._handle(data, client, tcp)
        finally:
            self.flush_log()

    def handle_many(self, messages: list[tuple[bytes, str]]) -> list[Reply | Forward | None]:
        """Answers to a burst of UDP messages, their log records written with one append."""
        try:
            return [self._handle(data, client, False) for data, client in messages]
        finally:
            self.flush_log()

    def flush_log(self) -> None:
        pending = self._pending_log
        if pending and self.spool is not None:
            if self.spool.append_many(pending) < 0:
                self.stats.log_failures += len(pending)
            pending.clear()

    def _handle(self, data: bytes, client: str, tcp: bool) -> Reply | Forward | None:
        # Clients repeat the same query bytes but for the ID: parse each distinct one once.
        key = data[2:]
        parsed = self._parsed
        query = parsed.get(key)
        if query is None:
            try:
                query = parse_query(data)
            except Drop:
                self.stats.dropped += 1
                return None
            except BadQuery as exc:
                self.stats.malformed += 1
                return Reply(R.error_reply(exc.query_id, exc.flags, exc.rcode))
            parsed.put(key, query)
        else:
            query = query._replace(id=(data[0] << 8) | data[1])
        self.stats.queries += 1
        limit = TCP_LIMIT if tcp else R.udp_limit(query, self.server_payload)
        if query.qclass != CLASS_IN or query.qtype in (TYPE_AXFR, TYPE_IXFR):
            return Reply(R.fit(query, R.synthesise(query, REFUSED), limit))
        now = self.clock()
        verdict = self._decider().verdict(client, query.qname, query.qtype, now)
        self._log(client, verdict, now)
        outcome = verdict.outcome
        counts = self.stats.by_outcome
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == Outcome.FORWARD:
            return self._forward(query, limit, now)
        if outcome == Outcome.SAFESEARCH and verdict.target is not None:
            return self._safesearch(query, verdict.target, limit, now)
        self.stats.blocked += 1
        if self.recent is not None:
            self.recent.remember(client, query.qname, verdict, now)
        return Reply(R.fit(query, self._blocked(query, verdict), limit))

    # -- logging -----------------------------------------------------------------------------

    def _log(self, client: str, verdict: Verdict, now: float) -> None:
        if self.spool is None:
            return
        head = b'{"kind":"dns","time":%.3f,"client":"%s"' % (now, client.encode("ascii", "replace"))
        self._pending_log.append(head + verdict.log_name + verdict.log_tail)

    # -- blocked -----------------------------------------------------------------------------

    def _blocked(self, query: Query, verdict: Verdict) -> bytes:
        soa = self._soa
        if verdict.outcome == Outcome.NXDOMAIN:
            return R.synthesise(query, NXDOMAIN, authority=soa, ede=(R.EDE_BLOCKED, verdict.reason))
        ede = (R.EDE_FILTERED, verdict.reason)
        record = self._block_records.get(query.qtype)
        if record is not None:
            return R.synthesise(query, 0, answers=record, ede=ede)
        if query.qtype == TYPE_A:
            # no block page to send the browser to: say the name does not exist
            return R.synthesise(query, NXDOMAIN, authority=soa, ede=ede)
        # other types of a blocked name (AAAA without an IPv6 block page, HTTPS, SVCB, MX, …):
        # "no such data" keeps clients on the A answer and hides the real address hints
        return R.synthesise(query, 0, authority=soa, ede=ede)

    # -- forwarding --------------------------------------------------------------------------

    def _forward(self, query: Query, limit: int, now: float) -> Reply | Forward:
        key: CacheKey = (query.qname, query.qtype, query.qclass, query.dnssec_ok)
        cached = self.cache.get(key, now)
        if cached is not None:
            self.stats.cache_hits += 1
            wire = R.relay(query, cached.wire, cached.layout, int(now - cached.stored))
            return Reply(R.fit(query, wire, limit))
        self.stats.forwarded += 1

        def finish(answer: bytes | None) -> bytes:
            if answer is None:
                self.stats.upstream_failures += 1
                return R.fit(query, R.synthesise(query, SERVFAIL), limit)
            try:
                lay = layout(answer)
            except ValueError:
                self.stats.upstream_failures += 1
                return R.fit(query, R.synthesise(query, SERVFAIL), limit)
            self.cache.put(key, answer, lay, self.clock())
            return R.fit(query, R.relay(query, answer, lay, 0), limit)

        upstream = upstream_query(query.question, query.flags, query.dnssec_ok)
        return Forward(upstream, query.qname, query.qtype, finish)

    # -- SafeSearch --------------------------------------------------------------------------

    def _safesearch(self, query: Query, target: str, limit: int, now: float) -> Reply | Forward:
        """CNAME to the safe address, with the target's records chased, as a recursive resolver
        answers; cached under a key of its own so other groups never see it."""
        key: CacheKey = (f"{query.qname}>{target}", query.qtype, query.qclass, query.dnssec_ok)
        cached = self.cache.get(key, now)
        if cached is not None:
            self.stats.cache_hits += 1
            wire = R.relay(query, cached.wire, cached.layout, int(now - cached.stored))
            return Reply(R.fit(query, wire, limit))
        self.stats.forwarded += 1

        def finish(answer: bytes | None) -> bytes:
            records, rcode, ttl = _chased(answer)
            if rcode is None:
                self.stats.upstream_failures += 1
                return R.fit(query, R.synthesise(query, SERVFAIL), limit)
            wire = R.synthesise(query, rcode, answers=(R.rr_cname(target, ttl), *records))
            with contextlib.suppress(ValueError):  # not cached if we cannot lay it out
                self.cache.put(key, wire, layout(wire), self.clock())
            return R.fit(query, wire, limit)

        question = name_to_wire(target) + RR_FIXED.pack(query.qtype, CLASS_IN, 0, 0)[:4]
        upstream = upstream_query(question, query.flags, query.dnssec_ok)
        return Forward(upstream, target, query.qtype, finish)


def upstream_query(question: bytes, client_flags: int, dnssec_ok: bool) -> bytes:
    """The query this resolver sends upstream: recursion desired, EDNS, the client's CD bit."""
    flags = 0x0100 | (client_flags & 0x0010)
    return (
        HEADER.pack(0, flags, 1, 0, 0, 1) + question + (_OPT_QUERY_DO if dnssec_ok else _OPT_QUERY)
    )


def _chased(answer: bytes | None) -> tuple[tuple[bytes, ...], int | None, int]:
    """The answer records of an upstream answer for a SafeSearch target, one per rdata,
    written uncompressed so they can follow our CNAME; with its rcode and lowest TTL."""
    if answer is None:
        return (), None, 0
    try:
        message = dns.message.from_wire(answer)
    except (dns.exception.DNSException, ValueError):
        return (), None, 0
    records = []
    ttl = 300
    for rrset in message.answer:
        ttl = min(ttl, rrset.ttl)
        for rdata in rrset:
            buffer = io.BytesIO()
            dns.rrset.from_rdata(rrset.name, rrset.ttl, rdata).to_wire(buffer)
            records.append(buffer.getvalue())
    return tuple(records), message.rcode() & 0xF, ttl
