"""Which importer reads which file: source specs (`[FORMAT:]PATH[=CATEGORY]`) and format sniffing.

Operators pass lists on the command line and in update configs; one spec syntax for both keeps them
interchangeable. When the format is not given it is guessed from the first lines, and the guess is
reported, so a surprising reading is visible rather than silent.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schoolgate.lists.adblock import parse_adblock
from schoolgate.lists.hosts import is_blocking_address, parse_hosts
from schoolgate.lists.lines import read_lines
from schoolgate.lists.model import Action, Entry, ImportReport, Scope
from schoolgate.lists.names import is_label
from schoolgate.lists.plain import parse_plain
from schoolgate.lists.rpz import parse_rpz
from schoolgate.lists.ut1 import read_ut1

FORMATS = ("ut1", "hosts", "plain", "adblock", "rpz")
_SNIFF_LINES = 500
_RPZ_LINE = re.compile(r"^\$(?:ORIGIN|TTL)\b|\s(?:IN\s+)?(?:SOA|CNAME)\s", re.IGNORECASE)


class SourceError(ValueError):
    """A source spec or file that cannot be imported at all (as opposed to bad lines in it)."""


@dataclass(frozen=True)
class SourceSpec:
    """One list to import: where, how to read it, and under which category."""

    path: Path
    format: str | None = None
    category: str | None = None
    allow: bool = False

    def __str__(self) -> str:
        text = f"{self.format}:{self.path}" if self.format else str(self.path)
        return f"{text}={self.category}" if self.category else text


def parse_spec(text: str, *, allow: bool = False) -> SourceSpec:
    """`[FORMAT:]PATH[=CATEGORY]`; for UT1, `=a,b` keeps only those categories."""
    fmt: str | None = None
    head, sep, rest = text.partition(":")
    if sep and head.lower() in FORMATS:
        fmt, text = head.lower(), rest
    category: str | None = None
    if "=" in text:
        text, category = text.rsplit("=", 1)
        category = category.strip().lower()
        names = category.split(",") if fmt == "ut1" else [category]
        if not all(is_label(n) for n in names):
            raise SourceError(f"{category!r} is not a category name (letters, digits, _ and -)")
    if not text:
        raise SourceError("empty path in source spec")
    return SourceSpec(Path(text), fmt, category, allow)


def default_category(path: Path) -> str:
    """A category from the file name: `Ads-List.txt` → `ads-list`."""
    stem = path.name.split(".", 1)[0].lower()
    cleaned = re.sub(r"[^a-z0-9_-]+", "_", stem).strip("_")
    return cleaned or "list"


def is_ut1(path: Path) -> bool:
    if path.is_dir():
        root = path / "blacklists" if (path / "blacklists").is_dir() else path
        return any(
            (child / "domains").exists() or (child / "usage").exists() for child in root.iterdir()
        )
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def sniff_format(path: Path) -> str:
    """Guess hosts/plain/adblock/rpz from the first lines of a text file."""
    votes = dict.fromkeys(("hosts", "plain", "adblock", "rpz"), 0)
    seen = 0
    with path.open("rb") as stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            seen += 1
            if seen > _SNIFF_LINES:
                break
            if line.startswith(("!", "[Adblock", "||", "@@", "|")) or line.endswith("^"):
                votes["adblock"] += 3 if line.startswith(("||", "@@", "[Adblock")) else 1
            elif _RPZ_LINE.search(line) or line.startswith(";"):
                votes["rpz"] += 3 if line.upper().startswith(("$ORIGIN", "$TTL")) else 1
            elif line.startswith("#"):
                continue
            else:
                fields = line.split("#", 1)[0].split()
                if len(fields) >= 2 and is_blocking_address(fields[0]) is not None:
                    votes["hosts"] += 1
                elif len(fields) == 1:
                    votes["plain"] += 1
    best = max(votes.values())
    if best == 0:
        return "plain"
    return next(fmt for fmt, n in votes.items() if n == best)


def detect_format(path: Path) -> str:
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if is_ut1(path):
        return "ut1"
    if path.is_dir():
        raise SourceError(f"{path}: a folder, but not a UT1 blacklists folder")
    return sniff_format(path)


def read_source(
    spec: SourceSpec,
    report: ImportReport,
    *,
    white_as_allow: bool = False,
    origin: str | None = None,
    plain_scope: Scope = Scope.SUBTREE,
) -> Iterator[Entry]:
    """Entries of one source, whatever its format; problems go to `report`."""
    path = spec.path
    fmt = spec.format or detect_format(path)
    if not spec.format:
        report.notes.append(f"{path}: read as {fmt} (detected)")
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    action = Action.ALLOW if spec.allow else Action.BLOCK
    if fmt == "ut1":
        only = spec.category.split(",") if spec.category else None
        if spec.allow:
            raise SourceError(f"{path}: UT1 says itself which lists exempt; --allow does not apply")
        yield from read_ut1(path, report, white_as_allow=white_as_allow, only=only)
        return
    if path.is_dir():
        raise SourceError(f"{path}: a folder; only UT1 lists come as folders")
    category = spec.category or default_category(path)
    source = str(path)
    lines = read_lines(path, report, source)
    if fmt == "hosts":
        yield from parse_hosts(
            lines, source=source, category=category, report=report, action=action
        )
    elif fmt == "plain":
        yield from parse_plain(
            lines, source=source, category=category, report=report, action=action, scope=plain_scope
        )
    elif fmt == "adblock":
        forced = Action.ALLOW if spec.allow else None
        yield from parse_adblock(
            lines, source=source, category=category, report=report, action=forced
        )
    elif fmt == "rpz":
        if spec.allow:
            raise SourceError(f"{path}: an RPZ zone says itself what it exempts (rpz-passthru.)")
        yield from parse_rpz(lines, source=source, category=category, report=report, origin=origin)
    else:
        raise SourceError(f"{path}: unknown format {fmt!r} (one of {', '.join(FORMATS)})")
