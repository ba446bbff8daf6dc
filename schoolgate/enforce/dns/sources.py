"""Loading what decisions depend on — policy, lists, networks — and reloading it safely.

Each source is read whole and checked before it replaces the one in use; a source that fails to
load leaves the last good one serving and says why. A snapshot comes from a published file
(`--snapshot`, with records, sanctions and the live address map) or is compiled from a pack
(`--pack`, standalone); the published file wins when both are given and it is valid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from schoolgate.classify.domains import CategoryIndex, IndexFormatError, LiveIndex
from schoolgate.classify.domains.layout import MAGIC
from schoolgate.enforce.dns.networks import Networks, NetworksError, load_networks
from schoolgate.engine import Snapshot, SnapshotError
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack, resolve
from schoolgate.policy.problems import PackError


class SourceError(RuntimeError):
    """A source that could not be loaded; the message names the file and the problem."""


Stamp = tuple[tuple[str, int, int], ...]


def stamp(paths: list[Path]) -> Stamp:
    """What changes when any of `paths` is rewritten (name, mtime, size), for polling."""
    out = []
    for path in paths:
        try:
            info = path.stat()
            out.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            out.append((str(path), -1, -1))
    return tuple(out)


def pack_files(pack: str) -> list[Path]:
    try:
        root = resolve(pack)
    except PackError:
        return [Path(pack)]
    if root.is_dir():
        return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml"))
    return [root]


def load_snapshot_file(path: Path) -> Snapshot:
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the snapshot: {exc.strerror}") from None
    try:
        return Snapshot.from_bytes(blob)
    except SnapshotError as exc:
        raise SourceError(f"{path}: {exc}") from None


def load_pack_snapshot(pack: str) -> Snapshot:
    try:
        loaded = load_pack(pack)
    except PackError as exc:
        raise SourceError(f"pack {pack}: {exc}") from None
    return compile_pack(loaded.pack)


def load_networks_file(path: Path | None) -> Networks:
    if path is None:
        return Networks.empty()
    try:
        return load_networks(path)
    except NetworksError as exc:
        raise SourceError(str(exc)) from None


def is_compiled_index(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def compile_lists(source: Path, out: Path) -> Path:
    """Import a list in any supported format (UT1 tarball or folder, hosts, …) into `out`."""
    from schoolgate.classify.domains.build import build_index
    from schoolgate.lists.model import ImportReport
    from schoolgate.lists.sources import SourceError as ListSourceError
    from schoolgate.lists.sources import parse_spec, read_source

    report = ImportReport()
    try:
        build_index(read_source(parse_spec(str(source)), report), out, sources=[str(source)])
    except (ListSourceError, OSError, ValueError) as exc:
        raise SourceError(f"{source}: cannot import the lists: {exc}") from None
    return out


@dataclass
class ListsSource:
    """The category index in use, from a compiled file (swapped on change) or imported once."""

    path: Path
    live: LiveIndex

    @classmethod
    def open(cls, path: Path, work_dir: Path) -> ListsSource:
        target = path
        if not is_compiled_index(path):
            work_dir.mkdir(parents=True, exist_ok=True)
            target = compile_lists(path, work_dir / f"lists-{os.getpid()}.idx")
        try:
            return cls(target, LiveIndex(target))
        except (IndexFormatError, OSError) as exc:
            raise SourceError(f"{target}: cannot open the compiled lists: {exc}") from None

    @property
    def index(self) -> CategoryIndex:
        return self.live.index

    def reload(self) -> bool:
        try:
            return self.live.reload()
        except (IndexFormatError, OSError) as exc:
            raise SourceError(f"{self.path}: {exc}; keeping the lists in use") from None
