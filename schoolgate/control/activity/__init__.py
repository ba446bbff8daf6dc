"""The event store: filter decisions read from the durable spool into the database, searched on
the console's event log and summed on its dashboard.

`follow(spool_dir, stop, interval=1.0)` is the one entry point a long-running process needs: it
ingests what the spool holds, then keeps polling until `stop` is set, so `make run`'s console can
run it on a thread::

    from schoolgate.control.activity import follow
    stop = threading.Event()
    threading.Thread(target=follow, args=(spool_dir, stop), daemon=True).start()

It is imported lazily here because this package is also a Django app, whose models cannot be
imported before Django is set up.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any


def follow(spool_dir: str | Path, stop: threading.Event, interval: float = 1.0) -> Any:
    """Ingest `spool_dir` until `stop` is set (see `activity.ingest.follow`)."""
    from schoolgate.control.activity.ingest import follow as run

    return run(spool_dir, stop, interval)


__all__ = ["follow"]
