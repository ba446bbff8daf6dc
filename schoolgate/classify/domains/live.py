"""An index that can be replaced while the resolver runs, without a pause and without a second copy.

`reload()` maps the new file and swaps one reference. Lookups already running finish on the old
mapping (they hold it); the old mapping is unmapped when its last user lets go. The mapped pages are
the kernel's page cache, shared and evictable, so during the swap no second heap copy exists. A new
file that fails to open or verify raises and leaves the current index serving.
"""

from __future__ import annotations

import threading
from pathlib import Path

from schoolgate.classify.domains.index import CategoryIndex, Match, file_stamp


class LiveIndex:
    """Holds the current `CategoryIndex` for `path` and swaps it when the file is replaced."""

    def __init__(self, path: Path | str, *, verify: bool = True) -> None:
        self.path = Path(path)
        self.verify = verify
        self._lock = threading.Lock()
        self._stamp = file_stamp(self.path)
        self._index = CategoryIndex.open(self.path, verify=verify)

    @property
    def index(self) -> CategoryIndex:
        """The index serving now; keep the reference for a whole decision, not across decisions."""
        return self._index

    @property
    def revision(self) -> str:
        return self._index.revision

    def lookup(self, name: str) -> Match:
        return self._index.lookup(name)

    def reload(self, *, force: bool = False) -> bool:
        """Swap in the file now at `path` if it changed; True if the serving index changed.

        Raises `IndexFormatError` (or `OSError`) if the new file is bad; the old one keeps serving.
        """
        with self._lock:
            stamp = file_stamp(self.path)
            if stamp is None:
                raise FileNotFoundError(f"{self.path}: the index file is gone; keeping the old one")
            if not force and stamp == self._stamp:
                return False
            fresh = CategoryIndex.open(self.path, verify=self.verify)
            self._stamp = stamp
            if fresh.revision == self._index.revision:
                fresh.close()
                return False
            self._index = fresh
            return True
