"""UT1 (Université Toulouse 1 Capitole) blacklists, read as published: the tarball or its folder.

Layout: `blacklists/<category>/domains` (or `domains.0`, `domains.1`, … when split), `urls`,
`expressions`, and `usage` saying whether the list is meant to block (`black`) or to exempt
(`white`), plus free-text keywords. Some categories are symbolic links to others (`porn -> adult`);
they become aliases, not second copies. Only domains reach the DNS index: `urls` and `expressions`
need an HTTP proxy, so each such file is reported once with its line count.

The tarball is read twice, streaming: first the small files (usage, links) so every category's
meaning is known, then the domain files. Nothing is extracted to disk, so member paths are never
trusted as file-system paths.
"""

from __future__ import annotations

import os
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from schoolgate.lists.lines import stream_lines
from schoolgate.lists.model import Action, Entry, ImportReport, Severity
from schoolgate.lists.names import is_label
from schoolgate.lists.plain import parse_plain

DOMAIN_FILE = re.compile(r"domains(?:\.\d+)?")
RULE_FILES = frozenset({"urls", "expressions", "very_restrictive_expression"})
META_FILES = frozenset({"usage"})

R_URL_FILE = "URL rules need an HTTP proxy (not applied at DNS level)"
R_EXPRESSION_FILE = "URL regular expressions need an HTTP proxy (not applied at DNS level)"
R_BAD_CATEGORY = "category folder name is not a plain name"
R_UNKNOWN_FILE = "unknown file in a category folder"
R_NESTED = "file nested deeper than <category>/<file>"
R_LINK_OUTSIDE = "symbolic link pointing outside the lists"
R_NOT_UT1 = "no <category>/domains files found: is this a UT1 blacklists tarball or folder?"


class UT1Error(ValueError):
    """The tarball cannot be read at all (corrupt, truncated, not a tarball)."""


@dataclass
class Category:
    """What UT1 says about one category folder."""

    name: str
    black: bool = False
    white: bool = False
    keywords: list[str] = field(default_factory=list)
    has_usage: bool = False

    def action(self, default_types: dict[str, str], white_as_allow: bool) -> Action:
        """`black` (even `white black`, a list usable either way) labels; `white` alone exempts."""
        black, white = self.black, self.white
        if not self.has_usage or not (black or white):
            kind = default_types.get(self.name, "black")
            black, white = kind == "black", kind == "white"
        if white and not black and white_as_allow:
            return Action.ALLOW
        return Action.BLOCK


def parse_usage(text: str) -> Category:
    """`usage` is free text: `black`/`white` words, other words are keywords, `#` comments."""
    category = Category(name="", has_usage=True)
    for line in text.splitlines():
        for word in line.split("#", 1)[0].split():
            lowered = word.lower()
            if lowered == "black":
                category.black = True
            elif lowered == "white":
                category.white = True
            else:
                category.keywords.append(word)
    return category


def parse_global_usage(text: str) -> dict[str, str]:
    """`global_usage` gives each NAME a DEFAULT_TYPE, used when a folder has no `usage` file."""
    types: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip().upper(), value.strip()
        if key == "NAME" and value:
            current = value.lower()
        elif key == "DEFAULT_TYPE" and current is not None:
            types[current] = value.lower()
    return types


@dataclass(frozen=True)
class _Member:
    parts: tuple[str, ...]
    kind: str  # "file", "dir", "link"
    target: tuple[str, ...] = ()


class _Tree:
    """A UT1 tree (tarball or folder) seen as members relative to the folder holding categories."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_tar = path.is_file()

    def members(
        self, want: Callable[[_Member], bool]
    ) -> Iterator[tuple[_Member, IO[bytes] | None]]:
        """Each member, with an open stream for files `want` accepts (valid until the next one)."""
        if self.is_tar:
            yield from self._tar_members(want)
        else:
            yield from self._dir_members(want)

    def _tar_members(
        self, want: Callable[[_Member], bool]
    ) -> Iterator[tuple[_Member, IO[bytes] | None]]:
        try:
            yield from self._tar_members_unchecked(want)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise UT1Error(f"{self.path}: not a readable tarball: {exc}") from exc

    def _tar_members_unchecked(
        self, want: Callable[[_Member], bool]
    ) -> Iterator[tuple[_Member, IO[bytes] | None]]:
        with tarfile.open(self.path, "r|*") as tar:
            for info in tar:
                parts = _under_root(_clean_parts(info.name))
                if not parts:
                    continue
                if info.issym():
                    joined = posixpath.join(posixpath.dirname(info.name), info.linkname)
                    yield _Member(parts, "link", _under_root(_clean_parts(joined))), None
                elif info.islnk():
                    yield _Member(parts, "link", _under_root(_clean_parts(info.linkname))), None
                elif info.isdir():
                    yield _Member(parts, "dir"), None
                elif info.isfile():
                    member = _Member(parts, "file")
                    yield member, tar.extractfile(info) if want(member) else None

    def _dir_members(
        self, want: Callable[[_Member], bool]
    ) -> Iterator[tuple[_Member, IO[bytes] | None]]:
        root = self.path
        if (root / "blacklists").is_dir():
            root = root / "blacklists"
        real_root = root.resolve()
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs.sort()
            base = Path(folder)
            relative = base.relative_to(root).parts
            for name in [*dirs, *sorted(files)]:
                path = base / name
                parts = (*relative, name)
                if name.startswith("."):
                    continue
                if path.is_symlink():
                    try:
                        target = path.resolve().relative_to(real_root).parts
                    except ValueError:
                        target = ()
                    yield _Member(parts, "link", target), None
                elif path.is_dir():
                    yield _Member(parts, "dir"), None
                elif path.is_file():
                    member = _Member(parts, "file")
                    if want(member):
                        with path.open("rb") as stream:
                            yield member, stream
                    else:
                        yield member, None
            dirs[:] = [d for d in dirs if not (base / d).is_symlink() and not d.startswith(".")]


def _clean_parts(name: str) -> tuple[str, ...]:
    """Archive member path as components, with `..` resolved inside the archive (never above it)."""
    normal = posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/")
    return tuple(p for p in normal.split("/") if p and p != ".")


def _under_root(parts: tuple[str, ...]) -> tuple[str, ...]:
    """Drop the folder holding the categories (`blacklists/`, or `x/blacklists/`) from a path."""
    for i, part in enumerate(parts[:2]):
        if part == "blacklists":
            return parts[i + 1 :]
    return parts


def _count_lines(stream: IO[bytes]) -> int:
    return sum(1 for line in stream if line.strip())


def read_ut1(
    path: Path,
    report: ImportReport,
    *,
    white_as_allow: bool = False,
    only: Iterable[str] | None = None,
) -> Iterator[Entry]:
    """Entries of every category in a UT1 tarball or folder (or just the categories in `only`)."""
    tree = _Tree(path)
    source = str(path)
    wanted = None if only is None else {c.lower() for c in only}
    categories, defaults, file_links = _scan(tree, source, report)
    actions = {
        name: cat.action(defaults, white_as_allow) for name, cat in sorted(categories.items())
    }
    found_domains = False

    def want(member: _Member) -> bool:
        return len(member.parts) == 2 and (
            DOMAIN_FILE.fullmatch(member.parts[1]) is not None or member.parts[1] in RULE_FILES
        )

    for member, stream in tree.members(want):
        if stream is None or member.kind != "file":
            continue
        category, filename = member.parts[0].lower(), member.parts[1]
        if category not in actions:
            continue
        where = f"{source}:{'/'.join(member.parts)}"
        if filename in RULE_FILES:
            count = _count_lines(stream)
            if count:
                reason = R_URL_FILE if filename == "urls" else R_EXPRESSION_FILE
                report.add(where, 0, Severity.SKIPPED, reason, count=count)
            continue
        found_domains = True
        readers = [category, *file_links.get(member.parts, [])]
        targets = [c for c in readers if c in actions and (wanted is None or c in wanted)]
        if not targets:
            _count_lines(stream)
            continue
        lines = stream_lines(stream, where, report)
        first, *others = targets
        for entry in parse_plain(
            lines, source=where, category=first, report=report, action=actions[first]
        ):
            yield entry
            for other in others:
                yield report.counted(Entry(entry.name, other, actions[other], entry.scope))
    if not found_domains:
        report.bad(source, 0, R_NOT_UT1)
    for name in sorted((wanted or set()) - set(actions)):
        report.notes.append(f"{source}: no category {name!r} (see `lists stats` for the names)")


def _scan(
    tree: _Tree, source: str, report: ImportReport
) -> tuple[dict[str, Category], dict[str, str], dict[tuple[str, ...], list[str]]]:
    """First pass: categories and their usage, aliases, file links, global defaults."""
    categories: dict[str, Category] = {}
    defaults: dict[str, str] = {}
    dir_links: dict[str, str] = {}
    file_links: dict[tuple[str, ...], list[str]] = {}
    refused: set[str] = set()

    def want(member: _Member) -> bool:
        return member.parts[-1] in ("usage", "global_usage") and len(member.parts) <= 2

    for member, stream in tree.members(want):
        parts = member.parts
        where = f"{source}:{'/'.join(parts)}"
        if member.kind == "link":
            if len(parts) == 1:
                if len(member.target) == 1:
                    dir_links[parts[0]] = member.target[0]
                else:
                    report.skipped(where, 0, R_LINK_OUTSIDE)
            elif len(parts) == 2 and len(member.target) == 2:
                file_links.setdefault(member.target, []).append(parts[0])
                _category(categories, refused, parts[0], where, report)
            else:
                report.skipped(where, 0, R_LINK_OUTSIDE)
            continue
        if len(parts) == 1:
            if member.kind == "dir":
                _category(categories, refused, parts[0], where, report)
            elif parts[0] == "global_usage" and stream is not None:
                defaults = parse_global_usage(stream.read().decode("utf-8", "replace"))
            continue
        if len(parts) > 2:
            report.skipped(where, 0, R_NESTED)
            continue
        category = _category(categories, refused, parts[0], where, report)
        if category is None:
            continue
        filename = parts[1]
        if filename == "usage" and stream is not None:
            usage = parse_usage(stream.read().decode("utf-8", "replace"))
            category.black, category.white = usage.black, usage.white
            category.keywords, category.has_usage = usage.keywords, True
        elif not (DOMAIN_FILE.fullmatch(filename) or filename in RULE_FILES):
            report.skipped(where, 0, R_UNKNOWN_FILE)

    for alias, target in sorted(dir_links.items()):
        if target in categories:
            report.aliases[alias] = target
            categories.pop(alias, None)
        else:
            report.notes.append(f"{source}: alias {alias} -> {target} points to no category")
    for name, category in sorted(categories.items()):
        if not category.has_usage:
            kind = defaults.get(name)
            how = f"global_usage says {kind}" if kind else "no global_usage entry either: black"
            report.notes.append(f"{source}: {name} has no usage file ({how})")
    return categories, defaults, file_links


def _category(
    categories: dict[str, Category],
    refused: set[str],
    name: str,
    where: str,
    report: ImportReport,
) -> Category | None:
    """The category for a folder name, or None (reported once) if the name is unusable."""
    lowered = name.lower()
    if not is_label(lowered):
        if lowered not in refused:
            refused.add(lowered)
            report.skipped(where, 0, R_BAD_CATEGORY, name)
        return None
    return categories.setdefault(lowered, Category(lowered))
