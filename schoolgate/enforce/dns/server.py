"""The asyncio layer: sockets in, `Handler` in the middle, upstream queries out. Nothing else.

UDP answers that need no upstream (blocked names, cache hits) are sent from inside the socket's
readiness callback, with no task or future in between. Forwarded ones get a task each, up to
`max_pending`; past that the resolver answers SERVFAIL rather than grow without bound. TCP
connections (RFC 7766) carry any number of length-prefixed queries, answered in order, and are
closed after `idle_timeout` seconds of silence; at most `max_connections` are open at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import sys
from collections.abc import Callable
from typing import Final

from schoolgate.enforce.dns.handler import Forward, Handler, Reply
from schoolgate.enforce.dns.upstream import UpstreamPool

TCP_LENGTH: Final = struct.Struct("!H")


class _UdpReader:
    """Reads bursts of datagrams straight from a non-blocking socket.

    One readiness callback drains up to `BURST` datagrams, answers them, writes their log records
    with one append and only then sends the answers: fewer trips through the event loop and one
    write for the log instead of one per query, with "logged before answered" kept.
    """

    BURST: Final = 64
    # Stub resolvers' queries are tens of bytes; a bigger buffer is only a bigger allocation per
    # packet. A longer datagram arrives cut short and is answered FORMERR.
    RECV_SIZE: Final = 4096

    def __init__(self, server: DnsServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock

    def readable(self) -> None:
        sock = self.sock
        batch: list[tuple[bytes, str]] = []
        peers: list[tuple[str | int, ...]] = []
        for _ in range(self.BURST):
            try:
                data, addr = sock.recvfrom(self.RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                continue  # e.g. ICMP errors reported on the socket: keep reading
            batch.append((data, str(addr[0])))
            peers.append(addr)
        if not batch:
            return
        server = self.server
        try:
            results = server.handler().handle_many(batch)
        except Exception as exc:  # a bug must cost answers, never the server
            server.report_crash(exc)
            return
        for result, addr in zip(results, peers, strict=True):
            if result is None:
                continue
            if isinstance(result, Reply):
                self.send(result.wire, addr)
            elif len(server.tasks) >= server.max_pending:
                self.send(result.finish(None), addr)
            else:
                task = asyncio.ensure_future(server.complete(result, self, addr))
                server.tasks.add(task)
                task.add_done_callback(server.tasks.discard)

    def send(self, wire: bytes, addr: tuple[str | int, ...]) -> None:
        try:
            self.sock.sendto(wire, addr)
        except (BlockingIOError, InterruptedError):
            self.server.send_drops += 1  # socket buffer full: the client will retry
        except OSError:
            pass  # the client is gone


class DnsServer:
    def __init__(
        self,
        handler: Callable[[], Handler],
        upstreams: UpstreamPool,
        *,
        max_pending: int = 4096,
        idle_timeout: float = 10.0,
        max_connections: int = 512,
    ) -> None:
        self.handler = handler
        self.upstreams = upstreams
        self.max_pending = max_pending
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.connections = 0
        self.tasks: set[asyncio.Future[None]] = set()
        self.crashes = 0
        self.send_drops = 0
        self._udp: socket.socket | None = None
        self._tcp: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen on UDP and TCP; returns the bound address (port 0 picks a free one for both)."""
        await self.upstreams.start()
        loop = asyncio.get_running_loop()
        self._tcp = await asyncio.start_server(self._serve_tcp, host, port, reuse_address=True)
        bound = self._tcp.sockets[0].getsockname()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.setblocking(False)
            sock.bind((host, bound[1]))
        except OSError:
            sock.close()
            self._tcp.close()
            raise
        self._udp = sock
        loop.add_reader(sock.fileno(), _UdpReader(self, sock).readable)
        return str(bound[0]), int(bound[1])

    async def complete(
        self, forward: Forward, reader: _UdpReader, addr: tuple[str | int, ...]
    ) -> None:
        try:
            answer = await self.upstreams.query(forward.upstream_query)
            wire = forward.finish(answer)
        except Exception as exc:
            self.report_crash(exc)
            try:
                wire = forward.finish(None)  # SERVFAIL: the client should not wait in vain
            except Exception:
                return
        if self._udp is not None:
            reader.send(wire, addr)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else "unknown"
        if self.connections >= self.max_connections:
            writer.close()  # full: a client retries or falls back to UDP
            return
        self.connections += 1
        try:
            while True:
                try:
                    async with asyncio.timeout(self.idle_timeout):
                        (length,) = TCP_LENGTH.unpack(await reader.readexactly(2))
                        data = await reader.readexactly(length)
                except (TimeoutError, asyncio.IncompleteReadError):
                    return
                try:
                    result = self.handler().handle(data, client, tcp=True)
                    if result is None:
                        return  # garbage on a stream: the framing can no longer be trusted
                    if isinstance(result, Forward):
                        wire = result.finish(await self.upstreams.query(result.upstream_query))
                    else:
                        wire = result.wire
                except Exception as exc:
                    self.report_crash(exc)
                    return
                writer.write(TCP_LENGTH.pack(len(wire)) + wire)
                await writer.drain()
        except (ConnectionError, OSError):
            return
        finally:
            self.connections -= 1
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def report_crash(self, exc: BaseException) -> None:
        self.crashes += 1
        if self.crashes <= 10:
            print(f"schoolgate dns: internal error (answer dropped): {exc!r}", file=sys.stderr)

    async def stop(self) -> None:
        if self._udp is not None:
            asyncio.get_running_loop().remove_reader(self._udp.fileno())
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
        for task in list(self.tasks):
            task.cancel()
        self.upstreams.close()
