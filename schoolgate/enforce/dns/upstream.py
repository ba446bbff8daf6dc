"""Asking the configured upstream resolvers: UDP with a timeout, TCP when truncated, failover.

Upstreams are tried in the order given. One that times out is set aside for `hold_down` seconds
(the next one answers meanwhile), then tried again first. Identical questions in flight at the
same time share one upstream query. An answer is accepted only from the address asked, with the
ID sent and the question asked (any letter case), so a spoofed packet is ignored, not believed.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Final

from schoolgate.enforce.dns.wire import HEADER

TCP_LENGTH: Final = struct.Struct("!H")


@dataclass
class Upstream:
    host: str
    port: int
    down_until: float = 0.0
    timeouts: int = 0
    answers: int = 0
    pending: dict[int, tuple[asyncio.Future[bytes], bytes]] = field(default_factory=dict)
    transport: asyncio.DatagramTransport | None = None

    @property
    def label(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if len(data) < HEADER.size:
            return
        qid = (data[0] << 8) | data[1]
        waiting = self.upstream.pending.get(qid)
        if waiting is None:
            return
        future, question = waiting
        if data[12 : 12 + len(question)].lower() != question or future.done():
            return  # not the answer to what we asked
        future.set_result(data)

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP unreachable and the like: the query times out and failover moves on


class UpstreamPool:
    def __init__(
        self,
        servers: list[tuple[str, int]],
        *,
        timeout: float = 1.5,
        tcp_timeout: float = 4.0,
        hold_down: float = 30.0,
    ) -> None:
        if not servers:
            raise ValueError("at least one upstream is needed")
        self.upstreams = [Upstream(host, port) for host, port in servers]
        self.timeout = timeout
        self.tcp_timeout = tcp_timeout
        self.hold_down = hold_down
        self._inflight: dict[bytes, asyncio.Future[bytes | None]] = {}

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for upstream in self.upstreams:
            transport, _ = await loop.create_datagram_endpoint(
                lambda u=upstream: _Protocol(u),  # type: ignore[misc]
                remote_addr=(upstream.host, upstream.port),
            )
            sock = transport.get_extra_info("socket")
            if sock is not None:  # room for a burst of answers while the loop is busy
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            upstream.transport = transport

    def close(self) -> None:
        for upstream in self.upstreams:
            if upstream.transport is not None:
                upstream.transport.close()
                upstream.transport = None

    async def query(self, wire: bytes) -> bytes | None:
        """The first good answer from an upstream to `wire` (its ID is replaced), or None."""
        shared = self._inflight.get(wire)
        if shared is not None:
            return await asyncio.shield(shared)
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._inflight[wire] = future
        try:
            answer = await self._ask_all(wire)
            future.set_result(answer)
            return answer
        except BaseException:
            future.set_result(None)
            raise
        finally:
            del self._inflight[wire]

    def _order(self) -> list[Upstream]:
        now = time.monotonic()
        healthy = [u for u in self.upstreams if u.down_until <= now]
        resting = [u for u in self.upstreams if u.down_until > now]
        return healthy + resting

    async def _ask_all(self, wire: bytes) -> bytes | None:
        question_end = _question_end(wire)
        question = wire[HEADER.size : question_end].lower()
        for upstream in self._order():
            answer = await self._ask_udp(upstream, wire, question)
            if answer is None:
                upstream.timeouts += 1
                upstream.down_until = time.monotonic() + self.hold_down
                continue
            if answer[2] & 0x02:  # TC: the whole answer needs TCP
                answer = await self._ask_tcp(upstream, wire, question)
                if answer is None:
                    continue
            upstream.answers += 1
            upstream.down_until = 0.0
            return answer
        return None

    async def _ask_udp(self, upstream: Upstream, wire: bytes, question: bytes) -> bytes | None:
        transport = upstream.transport
        if transport is None:
            return None
        qid = secrets.randbelow(65536)
        while qid in upstream.pending:
            qid = secrets.randbelow(65536)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        upstream.pending[qid] = (future, question)
        try:
            transport.sendto(qid.to_bytes(2, "big") + wire[2:])
            return await asyncio.wait_for(future, self.timeout)
        except (TimeoutError, OSError):
            return None
        finally:
            del upstream.pending[qid]

    async def _ask_tcp(self, upstream: Upstream, wire: bytes, question: bytes) -> bytes | None:
        qid = secrets.randbelow(65536)
        message = qid.to_bytes(2, "big") + wire[2:]
        try:
            async with asyncio.timeout(self.tcp_timeout):
                reader, writer = await asyncio.open_connection(upstream.host, upstream.port)
                try:
                    writer.write(TCP_LENGTH.pack(len(message)) + message)
                    await writer.drain()
                    (length,) = TCP_LENGTH.unpack(await reader.readexactly(2))
                    answer = await reader.readexactly(length)
                finally:
                    writer.close()
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            return None
        if (
            len(answer) < HEADER.size
            or int.from_bytes(answer[:2], "big") != qid
            or answer[12 : 12 + len(question)].lower() != question
        ):
            return None
        return answer


def _question_end(wire: bytes) -> int:
    pos = HEADER.size
    while wire[pos]:
        pos += 1 + wire[pos]
    return pos + 5
