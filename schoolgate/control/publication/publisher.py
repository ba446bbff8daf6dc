"""The debounced publisher: watch the change counter, publish when it moves.

Changes mark the counter in their own transaction, so nothing is missed even if the publisher
was down when they happened; a burst of changes (a roster import, a class's consents) settles
for `debounce` seconds and becomes one snapshot. A periodic refresh drops expired address
leases even when nothing else changed (an unchanged snapshot is not rewritten).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from django.db import close_old_connections, connections

from schoolgate.control.publication.services import Published, pending, publish

log = logging.getLogger(__name__)


class Publisher:
    def __init__(
        self, path: Path, interval: float = 1.0, debounce: float = 0.25, refresh: float = 300.0
    ) -> None:
        self.path = path
        self.interval = interval
        self.debounce = debounce
        self.refresh = refresh
        self.last: Published | None = None
        self.errors = 0
        self._last_time = 0.0

    def step(self) -> Published | None:
        changes, published = pending()
        due = changes > published or not self.path.exists()
        if not due and time.monotonic() - self._last_time < self.refresh:
            return None
        if due and self.debounce:
            time.sleep(self.debounce)
        self.last = publish(self.path)
        self._last_time = time.monotonic()
        return self.last

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    close_old_connections()
                    self.step()
                except Exception:  # keep the last good snapshot and try again
                    self.errors += 1
                    log.exception("publishing the snapshot failed; the last one stays")
                stop.wait(self.interval)
        finally:
            connections.close_all()  # this thread's connections, so the database can be dropped
