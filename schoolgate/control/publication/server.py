"""`schoolgate snapshot serve`: the published file over HTTP, with ETag = revision.

The server reads nothing but the snapshot file (re-read when its size or mtime changes), so it
keeps serving the last good snapshot when the database is down. A publisher thread, if enabled,
watches the change counter and republishes (see `publisher.Publisher`).
"""

from __future__ import annotations

import json
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
        self, status: HTTPStatus, blob: bytes, kind: str, body: bool, etag: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(blob)))
        self.send_header("Cache-Control", "no-cache")
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if body:
            self.wfile.write(blob)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests carry no student data, but a log line per poll is noise."""


class SnapshotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], path: Path) -> None:
        super().__init__(address, Handler)
        self.snapshot = SnapshotFile(path)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/snapshot.json"
