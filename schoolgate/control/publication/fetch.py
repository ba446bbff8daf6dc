"""How an enforcement point follows the published snapshot: poll by ETag, swap when valid.

Standard library and `schoolgate.engine` only — no Django, no control-plane imports — so the
data plane can use it (it belongs beside the enforcement points; see docs/control-plane.md).
A snapshot that fails `Snapshot.from_bytes` (altered, damaged, another format) is refused and
the last good one stays in use.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable

from schoolgate.engine.snapshot import Snapshot, SnapshotError


class SnapshotFetcher:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout
        self.snapshot: Snapshot | None = None
        self.etag: str | None = None
        self.last_error: str | None = None

    def fetch(self) -> bool:
        """One conditional GET; True when a new snapshot was loaded."""
        request = urllib.request.Request(self.url)  # noqa: S310 - the configured control plane
        if self.etag:
            request.add_header("If-None-Match", self.etag)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                blob = response.read()
                etag = response.headers.get("ETag")
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return False
            self.last_error = f"HTTP {exc.code}"
            return False
        except (urllib.error.URLError, OSError) as exc:
            self.last_error = str(exc)
            return False
        try:
            snapshot = Snapshot.from_bytes(blob)
        except SnapshotError as exc:
            self.last_error = str(exc)
            return False
        self.snapshot, self.etag, self.last_error = snapshot, etag, None
        return True

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
