"""A small HTTP/1.1 server for the block page (stdlib asyncio; one request per connection).

The browser arrives here because the resolver answered a blocked name with this server's address,
so the Host header names what was blocked. GET shows the page; POST to the review path records a
review request in the spool for staff, after checking the CSRF token and, when the browser sends
one, that the Origin is this same site. Requests are bounded in size and time; anything odd gets
a 4xx, never an exception in the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from schoolgate.enforce.blockpage import render
from schoolgate.enforce.blockpage.csrf import CsrfTokens
from schoolgate.spool import SpoolWriter

if TYPE_CHECKING:
    from schoolgate.enforce.dns.policy import Verdict

MAX_HEAD: Final = 16 * 1024
MAX_BODY: Final = 4096
TIMEOUT: Final = 10.0
REVIEWS_PER_HOUR: Final = 20
_REASONS: Final = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    429: "Too Many Requests",
}
_HEADERS: Final = (
    "Content-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "Connection: close\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'\r\n"
)

Explain = Callable[[str, str], "Verdict | None"]


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BlockPageServer:
    def __init__(
        self,
        explain: Explain,
        *,
        spool: SpoolWriter | None = None,
        tokens: CsrfTokens | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.explain = explain
        self.spool = spool
        self.tokens = tokens or CsrfTokens()
        self.clock = clock
        self.reviews: list[dict[str, object]] = []  # also kept in memory when there is no spool
        self._per_client: dict[tuple[str, int], int] = {}
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEAD)
        bound = self._server.sockets[0].getsockname()
        return str(bound[0]), int(bound[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else "unknown"
        try:
            async with asyncio.timeout(TIMEOUT):
                status, body = await self._respond(reader, client)
        except HttpError as exc:
            status, body = exc.status, render.error_page(_REASONS[exc.status], exc.message)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            writer.close()
            return
        head = f"HTTP/1.1 {status} {_REASONS[status]}\r\n{_HEADERS}Content-Length: {len(body)}\r\n"
        with contextlib.suppress(ConnectionError, OSError):
            writer.write(head.encode() + b"\r\n" + body)
            await writer.drain()
            writer.close()
            await writer.wait_closed()

    async def _respond(self, reader: asyncio.StreamReader, client: str) -> tuple[int, bytes]:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise HttpError(400, "The request headers are too large.") from None
        method, target, headers = _parse_head(head)
        host = _host(headers)
        if method in ("GET", "HEAD"):
            verdict = self.explain(client, host)
            if verdict is None:
                return 200, render.not_blocked_page(host)
            token = self.tokens.issue(client, host)
            return 403, render.blocked_page(host, verdict, token, self.clock())
        if method != "POST":
            raise HttpError(405, "Only GET and POST are used here.")
        if urllib.parse.urlsplit(target).path != render.REVIEW_PATH:
            raise HttpError(404, "Nothing to post to here.")
        return await self._review(reader, client, host, headers)

    async def _review(
        self, reader: asyncio.StreamReader, client: str, host: str, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        origin = headers.get("origin")
        if origin and origin != "null" and urllib.parse.urlsplit(origin).hostname != host:
            raise HttpError(403, "The request came from another site.")
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            raise HttpError(400, "The form has no length.") from None
        if not 0 <= length <= MAX_BODY:
            raise HttpError(413, "The form is too large.")
        form = urllib.parse.parse_qs((await reader.readexactly(length)).decode("utf-8", "replace"))
        token = form.get("token", [""])[0]
        named = form.get("host", [""])[0].lower().rstrip(".")
        if named != host or not self.tokens.check(client, host, token):
            raise HttpError(403, "This form has expired. Reload the page and try again.")
        hour = int(self.clock() // 3600)
        count = self._per_client.get((client, hour), 0)
        if count >= REVIEWS_PER_HOUR:
            raise HttpError(
                429, "Too many review requests this hour; staff have your earlier ones."
            )
        self._per_client = {k: v for k, v in self._per_client.items() if k[1] == hour}
        self._per_client[(client, hour)] = count + 1
        verdict = self.explain(client, host)
        decision = verdict.decision if verdict is not None else None
        record: dict[str, object] = {
            "kind": "review-request",
            "time": round(self.clock(), 3),
            "client": client,
            "user": verdict.user if verdict is not None else None,
            "name": host,
            "rule": decision.rules[0] if decision is not None else None,
            "clause": decision.clauses[0].id if decision and decision.clauses else None,
            "revision": decision.revision if decision is not None else None,
            "why": form.get("why", [""])[0][:500],
        }
        self.reviews.append(record)
        del self.reviews[:-100]
        if self.spool is not None:
            self.spool.append_bytes(json.dumps(record, ensure_ascii=False).encode())
        return 200, render.review_recorded_page(host)


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise HttpError(400, "Unreadable request.") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "Not an HTTP/1.x request.")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, "A header line is malformed.")
        headers[name.lower()] = value.strip()
    return parts[0], parts[1], headers


def _host(headers: dict[str, str]) -> str:
    raw = headers.get("host", "").strip().lower()
    if raw.startswith("["):
        host = raw[1 : raw.find("]")] if "]" in raw else ""
    else:
        host = raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw
    host = host.rstrip(".")
    if not host or len(host) > 253 or any(c in host for c in " /\\\"'<>"):
        raise HttpError(400, "The request names no site (Host header).")
    return host
