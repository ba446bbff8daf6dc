"""How an enforcement point follows the published snapshot: poll by ETag, swap when valid.

Standard library and `schoolgate.engine` only — no Django, no control-plane imports — because it
runs beside the enforcement points (the resolver's `--snapshot-url`), on hosts that have no
database and must keep deciding when the control plane is away.

- A snapshot that fails `Snapshot.from_bytes` (altered, damaged, another format) is refused and
  the last good one stays in use.
- The snapshot is student data, so the control plane wants a bearer token (`snapshot:read` for
  the API route, `--token-file` for `snapshot serve`). The token is sent only to the configured
  URL: never on a redirect (redirects are refused), never in a log line or an error message.
- With a cache file, each new good snapshot is written there atomically (0600, tmp + fsync +
  rename), and a fetcher starts from it, so a restart while the control plane is unreachable
  starts from the last good snapshot instead of from nothing.
- The ETag is sent back exactly as the server gave it (`If-None-Match`), whatever its form.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from schoolgate.engine.snapshot import Snapshot, SnapshotError

# A district's snapshot is tens of megabytes; anything far larger is not one, and reading it
# whole would only exhaust memory.
MAX_SNAPSHOT = 512 * 1024 * 1024


class FollowError(ValueError):
    """A token file or cache that cannot be used; the message names the file, never a token."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could send the token (and then the snapshot) to another host: refuse it."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def read_token_file(path: Path) -> str:
    """The bearer token in `path`: its first non-blank line. The file must be readable by its
    owner only (0600 or 0400), since whoever reads it can read every student's record."""
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FollowError(f"{path}: cannot read the token file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FollowError(f"{path}: the token file is not UTF-8 text") from None
    if info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise FollowError(
            f"{path}: the token file is readable by others (mode {mode:04o}); chmod 600 it"
        )
    token = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not token:
        raise FollowError(f"{path}: the token file is empty")
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise FollowError(f"{path}: the token's first line has spaces or control characters")
    return token


def shown_url(url: str) -> str:
    """The URL for messages: without user:password@ and without the query string."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def write_atomically(path: Path, blob: bytes) -> None:
    """tmp + fsync + rename (+ fsync of the folder): a crash leaves the old file or the new one,
    never half of one. 0600: the snapshot holds student records."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be fsynced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


class SnapshotFetcher:
    """Conditional GETs of one URL. Not thread-safe: one `fetch` at a time (the resolver runs
    each in a worker thread and reads `snapshot` only after it returns)."""

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        *,
        token: str | None = None,
        cache: Path | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.cache = cache
        self.snapshot: Snapshot | None = None
        self.etag: str | None = None
        self.last_error: str | None = None
        self.from_cache = False
        self._authorization = f"Bearer {token}" if token else None
        if cache is not None:
            self._load_cache(cache)

    @property
    def snapshot_revision(self) -> str | None:
        """The short revision in use, for messages."""
        return self.snapshot.short_revision if self.snapshot is not None else None

    def __repr__(self) -> str:
        return f"SnapshotFetcher({shown_url(self.url)!r})"  # no token

    def _load_cache(self, cache: Path) -> None:
        """Start from the last good snapshot, if there is one. The first request is still
        unconditional (no ETag yet): the cache says what we had, not what the server calls it."""
        try:
            blob = cache.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.last_error = f"{cache}: cannot read the cached snapshot: {exc.strerror}"
            return
        try:
            self.snapshot = Snapshot.from_bytes(blob)
        except SnapshotError as exc:
            self.last_error = f"{cache}: the cached snapshot is refused: {exc}"
            return
        self.from_cache = True

    def fetch(self) -> bool:
        """One conditional GET; True when a snapshot with a new revision was loaded."""
        where = shown_url(self.url)
        request = urllib.request.Request(self.url)  # noqa: S310 - the configured control plane
        if self.etag:
            request.add_header("If-None-Match", self.etag)
        if self._authorization:
            # Unredirected: urllib would copy an ordinary header onto a redirect.
            request.add_unredirected_header("Authorization", self._authorization)
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                blob = response.read(MAX_SNAPSHOT + 1)
                etag = response.headers.get("ETag")
        except urllib.error.HTTPError as exc:
            with contextlib.suppress(OSError):
                exc.close()
            if exc.code == 304:
                self.last_error = None
                return False
            self.last_error = f"{where}: HTTP {exc.code}" + _explain(exc.code)
            return False
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            self.last_error = f"{where}: {reason}"
            return False
        if len(blob) > MAX_SNAPSHOT:
            self.last_error = f"{where}: the answer is larger than {MAX_SNAPSHOT} bytes"
            return False
        try:
            snapshot = Snapshot.from_bytes(blob)
        except SnapshotError as exc:
            self.last_error = f"{where}: refused, keeping the last good snapshot: {exc}"
            return False
        new = self.snapshot is None or snapshot.revision != self.snapshot.revision
        if new and self.cache is not None:
            try:
                write_atomically(self.cache, blob)
            except OSError as exc:
                # Still use it: deciding on the newest snapshot matters more than the copy.
                self.last_error = (
                    f"{self.cache}: cannot keep a copy of the new snapshot (in use all the same): "
                    f"{exc.strerror}"
                )
            else:
                self.last_error = None
        else:
            self.last_error = None
        self.snapshot, self.etag = snapshot, etag
        self.from_cache = self.from_cache and not new
        return new

    def follow(
        self,
        stop: threading.Event,
        interval: float = 1.0,
        on_new: Callable[[Snapshot], None] | None = None,
    ) -> None:
        """Poll until `stop` is set, calling `on_new` with each new snapshot."""
        while not stop.is_set():
            if self.fetch() and on_new is not None and self.snapshot is not None:
                on_new(self.snapshot)
            stop.wait(interval)


def _explain(code: int) -> str:
    if code == 401:
        return " (the token is missing, unknown, expired or revoked)"
    if code == 403:
        return " (the token lacks the snapshot:read scope)"
    if code == 503:
        return " (nothing published yet, or the control plane cannot check the token)"
    return ""
