"""Fetch a fresh UT1 tarball and rebuild the index only if the download proves good.

The district's filter must never get worse because a mirror served an error page, a truncated file
or an emptied list. So a download goes to a temporary file and must pass, in order: a size window,
the expected SHA-256 if one is configured, the MD5 file UT1 publishes beside the tarball (when it
can be fetched), a full parse as a UT1 tarball, and a sanity comparison with the index it would
replace (not less than `min_ratio` of its names). Only then is the new index renamed over the old
one and the tarball kept as the last good copy. Any failure leaves both exactly as they were; the
rejected download is kept beside them for inspection.

`download` is the only code in `schoolgate.lists` that touches the network, and only for the URL
the operator configured (`https`, `http`, or `file` for tests and air-gapped mirrors).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schoolgate.classify.domains.build import BuildSummary, IndexBuilder
from schoolgate.classify.domains.index import CategoryIndex
from schoolgate.classify.domains.layout import IndexFormatError
from schoolgate.lists.model import ImportReport
from schoolgate.lists.sources import SourceSpec, read_source
from schoolgate.lists.ut1 import R_NOT_UT1

DEFAULT_URL = "https://dsi.ut-capitole.fr/blacklists/download/blacklists.tar.gz"
DEFAULT_MIN_SIZE = 1 << 20  # the real tarball is tens of MB; an error page is a few kB
DEFAULT_MAX_SIZE = 2 << 30
DEFAULT_MIN_RATIO = 0.5
DEFAULT_MIN_NAMES = 1000
SCHEMES = frozenset({"https", "http", "file"})
_CHUNK = 1 << 20
_MD5 = re.compile(r"\b([0-9a-fA-F]{32})\b")


class UpdateError(RuntimeError):
    """The update was refused; the index and the last good copy are unchanged."""


@dataclass
class UpdateResult:
    """What `update_ut1` did, for the CLI and the log."""

    status: str  # "updated", "unchanged"
    url: str
    sha256: str
    size: int
    tarball: Path
    index: Path
    summary: BuildSummary | None = None
    report: ImportReport | None = None
    checks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int
    sha256: str
    md5: str


def _check_scheme(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise UpdateError(f"{url}: only {', '.join(sorted(SCHEMES))} URLs are fetched")


def download(
    url: str, dest: Path, *, timeout: float = 120.0, max_size: int = DEFAULT_MAX_SIZE
) -> Downloaded:
    """Stream `url` into `dest`, hashing as it goes; refuse anything over `max_size` bytes."""
    _check_scheme(url)
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size = 0
    request = urllib.request.Request(url, headers={"User-Agent": "schoolgate-lists-update"})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, dest.open("wb") as out:  # noqa: S310 - scheme checked above
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > max_size:
                    raise UpdateError(f"{url}: larger than {max_size} bytes; refusing it")
                sha256.update(chunk)
                md5.update(chunk)
                out.write(chunk)
    except OSError as exc:
        raise UpdateError(f"{url}: download failed: {exc}") from exc
    return Downloaded(dest, size, sha256.hexdigest(), md5.hexdigest())


def fetch_md5(url: str, *, timeout: float = 30.0) -> str:
    """The MD5 published at `url` (`md5sum` output or a bare hash)."""
    _check_scheme(url)
    request = urllib.request.Request(url, headers={"User-Agent": "schoolgate-lists-update"})  # noqa: S310 - scheme checked above
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
        text = response.read(4096).decode("ascii", "replace")
    found = _MD5.search(text)
    if not found:
        raise UpdateError(f"{url}: no MD5 checksum in it")
    return found.group(1).lower()


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One update at a time per state folder (a timer and an operator may start one together)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".update.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UpdateError(f"{folder}: another update is running") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def update_ut1(
    *,
    state_dir: Path,
    index_path: Path,
    url: str = DEFAULT_URL,
    sha256: str | None = None,
    md5_url: str | None = "auto",
    min_size: int = DEFAULT_MIN_SIZE,
    max_size: int = DEFAULT_MAX_SIZE,
    min_ratio: float = DEFAULT_MIN_RATIO,
    min_names: int = DEFAULT_MIN_NAMES,
    extra: Sequence[SourceSpec] = (),
    force: bool = False,
    timeout: float = 120.0,
) -> UpdateResult:
    """Download UT1 from `url` into `state_dir`, check it, and rebuild `index_path` from it.

    `md5_url`: `"auto"` tries `<url>.md5` and carries on if there is none; an explicit URL must
    be fetched and match; None skips it. `force` skips only the shrink check, never the others.
    Raises `UpdateError` when the download is refused; nothing already stored is changed then.
    """
    ut1_dir = state_dir / "ut1"
    good = ut1_dir / "blacklists.tar.gz"
    state_file = ut1_dir / "state.json"
    rejected = ut1_dir / "rejected.tar.gz"
    with _locked(state_dir):
        ut1_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=ut1_dir, prefix=".download.", suffix=".tmp")
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.chmod(0o644)  # the kept copy is public data; mkstemp's 0600 would hide it
        candidate = index_path.with_name(f".{index_path.name}.candidate")
        try:
            got = download(url, tmp, timeout=timeout, max_size=max_size)
            checks = _check_download(got, url, sha256=sha256, md5_url=md5_url, min_size=min_size)
            state = _read_state(state_file)
            if (
                not force
                and state.get("sha256") == got.sha256
                and good.exists()
                and index_path.exists()
            ):
                tmp.unlink()
                checks.append("same SHA-256 as the last good copy: nothing to rebuild")
                return UpdateResult(
                    "unchanged", url, got.sha256, got.size, good, index_path, checks=checks
                )
            report = ImportReport()
            summary = _build_candidate(tmp, extra, report, candidate, url, got)
            checks += _check_candidate(
                summary, report, index_path, min_ratio=min_ratio, min_names=min_names, force=force
            )
        except BaseException:
            if tmp.exists() and tmp.stat().st_size:
                tmp.replace(rejected)
            tmp.unlink(missing_ok=True)
            candidate.unlink(missing_ok=True)
            raise
        candidate.replace(index_path)
        tmp.replace(good)
        state = {
            "url": url,
            "sha256": got.sha256,
            "md5": got.md5,
            "size": got.size,
            "fetched": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "index_revision": summary.revision,
        }
        state_tmp = state_file.with_suffix(".json.tmp")
        state_tmp.write_text(json.dumps(state, indent=2) + "\n")
        state_tmp.replace(state_file)
        return UpdateResult(
            "updated", url, got.sha256, got.size, good, index_path, summary, report, checks
        )


def _check_download(
    got: Downloaded, url: str, *, sha256: str | None, md5_url: str | None, min_size: int
) -> list[str]:
    checks: list[str] = []
    if got.size < min_size:
        raise UpdateError(
            f"{url}: {got.size} bytes, below the {min_size}-byte minimum (an error page?)"
        )
    checks.append(f"size {got.size} bytes ≥ {min_size}")
    if sha256:
        if got.sha256 != sha256.lower():
            raise UpdateError(f"{url}: SHA-256 {got.sha256} is not the expected {sha256.lower()}")
        checks.append("SHA-256 matches the configured value")
    if md5_url:
        where = f"{url}.md5" if md5_url == "auto" else md5_url
        try:
            published = fetch_md5(where)
        except (OSError, UpdateError) as exc:
            if md5_url != "auto":
                raise UpdateError(f"{where}: cannot check the MD5: {exc}") from exc
            checks.append(f"no published MD5 at {where}; relying on the other checks")
        else:
            if published != got.md5:
                raise UpdateError(f"{url}: MD5 {got.md5} does not match the published {published}")
            checks.append(f"MD5 matches {where}")
    return checks


def _build_candidate(
    tarball: Path,
    extra: Sequence[SourceSpec],
    report: ImportReport,
    candidate: Path,
    url: str,
    got: Downloaded,
) -> BuildSummary:
    started = time.perf_counter()
    builder = IndexBuilder()
    try:
        builder.add_all(read_source(SourceSpec(tarball, "ut1"), report))
        for spec in extra:
            builder.add_all(read_source(spec, report))
    except (OSError, EOFError, ValueError) as exc:  # tarfile/gzip errors are among these
        raise UpdateError(f"{url}: not a readable UT1 tarball: {exc}") from exc
    if any(reason == R_NOT_UT1 for _, reason in report.problem_counts):
        raise UpdateError(f"{url}: {R_NOT_UT1}")
    meta = {
        "ut1": {"url": url, "sha256": got.sha256, "size": got.size},
        "lines": report.lines,
        "bad_lines": report.bad_lines,
        "skipped_lines": report.skipped_lines,
        "import_seconds": round(time.perf_counter() - started, 3),
    }
    sources = [f"ut1:{url}", *(str(s) for s in extra)]
    return builder.write(candidate, aliases=report.aliases, sources=sources, meta=meta)


def _check_candidate(
    summary: BuildSummary,
    report: ImportReport,
    index_path: Path,
    *,
    min_ratio: float,
    min_names: int,
    force: bool,
) -> list[str]:
    checks: list[str] = []
    if summary.names < min_names:
        raise UpdateError(f"only {summary.names} names in the download, fewer than {min_names}")
    checks.append(f"{summary.names} names ≥ {min_names}")
    try:
        with CategoryIndex.open(index_path, verify=False) as old:
            old_names = len(old)
    except (OSError, IndexFormatError):
        old_names = 0
    if old_names and summary.names < old_names * min_ratio:
        if not force:
            raise UpdateError(
                f"the download has {summary.names} names, under {min_ratio:.0%} of the "
                f"{old_names} in the current index (use --force if that shrink is real)"
            )
        checks.append(f"shrink to {summary.names} from {old_names} names accepted (--force)")
    elif old_names:
        checks.append(f"{summary.names} names vs {old_names} in the current index")
    return checks
