"""`schoolgate snapshot serve`: the published file over HTTP, with ETag = revision.

The server reads nothing but the snapshot file (re-read when its size or mtime changes) and its
token file, so it keeps serving the last good snapshot when the database is down. A publisher
thread, if enabled, watches the change counter and republishes (see `publisher.Publisher`).

The snapshot is student data (ids, roles, grades, sanctions and their reasons, who is behind
each address), so whoever fetches it must show a bearer token from the token file. Without a
token file the server answers anyone, and so it binds to loopback only (`check_bind`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import stat
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

PATHS = ("/snapshot", "/snapshot.json")


@dataclass(frozen=True)
class Loaded:
    stamp: tuple[int, int]
    blob: bytes
    revision: str


class SnapshotFile:
    """The snapshot file's bytes and revision, re-read only when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()

    def get(self) -> Loaded | None:
        try:
            info = self.path.stat()
        except OSError:
            return self._loaded  # keep serving the last good one
        stamp = (info.st_mtime_ns, info.st_size)
        with self._lock:
            if self._loaded is None or self._loaded.stamp != stamp:
                try:
                    blob = self.path.read_bytes()
                    revision = json.loads(blob)["revision"]
                except (OSError, ValueError, KeyError, TypeError):
                    return self._loaded
                self._loaded = Loaded(stamp, blob, str(revision))
            return self._loaded


DIGEST = re.compile(r"^[0-9a-fA-F]{64}$")
# A secret written into the token file itself must be at least this long (a digest line is a
# SHA-256 of a secret and cannot be judged).
MIN_SECRET = 20


class TokenFileError(ValueError):
    """A token file that cannot be used; the message names the file and line, never a token."""


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def read_token_file(path: Path) -> list[bytes]:
    """The SHA-256 digests the server accepts: one per line, either 64 hex digits (a digest:
    `printf %s "$SECRET" | sha256sum`) or the secret itself. Blank lines and `#` comments are
    skipped. A file holding secrets must be readable by its owner only."""
    try:
        info = path.stat()
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TokenFileError(f"{path}: cannot read the token file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise TokenFileError(f"{path}: the token file is not UTF-8 text") from None
    digests: list[bytes] = []
    secrets = False
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if any(ch.isspace() or not ch.isprintable() for ch in line):
            raise TokenFileError(f"{path}:{number}: one token or digest per line, no spaces")
        if DIGEST.match(line):
            digests.append(bytes.fromhex(line))
            continue
        if len(line) < MIN_SECRET:
            raise TokenFileError(
                f"{path}:{number}: a secret must be at least {MIN_SECRET} characters"
            )
        secrets = True
        digests.append(_digest(line))
    if not digests:
        raise TokenFileError(f"{path}: no token in the token file")
    if secrets and info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise TokenFileError(
            f"{path}: holds secrets and is readable by others (mode {mode:04o}); chmod 600 it, "
            "or keep only their SHA-256 digests in it"
        )
    return digests


class TokenFile:
    """The accepted tokens, re-read when the file changes, so a token is added or withdrawn
    without a restart. A file that becomes unusable accepts nobody until it is fixed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._digests = read_token_file(path)  # a bad file at start is an error, loudly
        self._stamp = self._current()

    def _current(self) -> tuple[int, ...] | None:
        """Changes with the content, a replacement, and a chmod (ctime)."""
        try:
            info = self.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)

    def accepts(self, header: str | None) -> bool:
        """Whether an `Authorization` header carries one of the tokens (constant-time compare
        of SHA-256 digests, against every entry)."""
        if not header:
            return False
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer" or len(parts[1]) > 500:
            return False
        offered = _digest(parts[1])
        with self._lock:
            current = self._current()
            if current != self._stamp:
                self._stamp = current
                try:
                    self._digests = read_token_file(self.path)
                except TokenFileError:
                    self._digests = []
            digests = self._digests
        found = False
        for digest in digests:
            found |= hmac.compare_digest(offered, digest)
        return found


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, tokens: TokenFile | None) -> None:
    """Without tokens, anyone who can reach the server can read every student's record in the
    snapshot: only loopback (a proxy or the enforcement point on the same host) may reach it."""
    if tokens is None and not is_loopback(host):
        raise ValueError(
            f"refusing to serve the snapshot on {host} without --token-file: it holds student "
            "records (ids, grades, sanctions and their reasons, who is behind each address), and "
            "anyone who can reach the port could read them; bind to 127.0.0.1, or give "
            "--token-file so that only enforcement points holding a token can fetch it"
        )


def etag_matches(header: str | None, revision: str) -> bool:
    """RFC 9110 If-None-Match: `*`, or a list of (possibly weak) entity tags."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return revision in tags


class Handler(BaseHTTPRequestHandler):
    server: SnapshotServer
    protocol_version = "HTTP/1.1"
    server_version = "schoolgate-snapshot"
    extensions_map: ClassVar[dict[str, str]] = {}

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self._send(HTTPStatus.OK, b"ok\n", "text/plain", body)
            return
        if path not in (*PATHS, "/revision"):
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)
            return
        tokens = self.server.tokens
        if tokens is not None and not tokens.accepts(self.headers.get("Authorization")):
            self._send(
                HTTPStatus.UNAUTHORIZED,
                b"a valid bearer token is required\n",
                "text/plain",
                body,
                challenge=True,
            )
            return
        loaded = self.server.snapshot.get()
        if loaded is None:
            self._send(
                HTTPStatus.SERVICE_UNAVAILABLE, b"no snapshot published yet\n", "text/plain", body
            )
            return
        if path == "/revision":
            self._send(HTTPStatus.OK, loaded.revision.encode() + b"\n", "text/plain", body)
            return
        etag = f'"{loaded.revision}"'
        if etag_matches(self.headers.get("If-None-Match"), loaded.revision):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            return
        self._send(HTTPStatus.OK, loaded.blob, "application/json", body, etag)

    def _send(
        self,
        status: HTTPStatus,
        blob: bytes,
        kind: str,
        body: bool,
        etag: str | None = None,
        challenge: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(blob)))
        self.send_header("Cache-Control", "no-cache")
        if etag:
            self.send_header("ETag", etag)
        if challenge:
            self.send_header("WWW-Authenticate", 'Bearer realm="schoolgate"')
        self.end_headers()
        if body:
            self.wfile.write(blob)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a log line per poll is noise (and no request line or header is ever logged,
        so neither is a token)."""


class SnapshotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], path: Path, tokens: TokenFile | None = None
    ) -> None:
        check_bind(address[0], tokens)  # before binding: refuse, do not open the port first
        super().__init__(address, Handler)
        self.snapshot = SnapshotFile(path)
        self.tokens = tokens

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/snapshot.json"
