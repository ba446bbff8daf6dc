"""A whole roster set read and checked: every file parsed, ids unique, every reference known.

References may point into this import or at records already stored — unless the referenced
file is a bulk file in this import, which replaces what is stored, so a reference to something
it leaves out is an error rather than a dangling link.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Final

from schoolgate.control.people.oneroster import records as rec
from schoolgate.control.people.oneroster.csvread import read_table
from schoolgate.control.people.oneroster.problems import Problem, RosterError
from schoolgate.control.people.oneroster.schema import HEADERS, ORDER
from schoolgate.control.people.oneroster.source import Manifest, RosterSource, read_manifest


@dataclass
class RosterSet:
    """A checked roster: its version, each file's mode and records, in application order."""

    source: str
    version: str
    modes: dict[str, str]
    records: dict[str, list[rec.Record]]

    def rows(self) -> int:
        return sum(len(r) for r in self.records.values())


# (file, attribute, target file, column)
REFERENCES: Final = (
    ("orgs", "parent", "orgs", "parentSourcedId"),
    ("academicSessions", "parent", "academicSessions", "parentSourcedId"),
    ("courses", "school_year", "academicSessions", "schoolYearSourcedId"),
    ("courses", "org", "orgs", "orgSourcedId"),
    ("classes", "course", "courses", "courseSourcedId"),
    ("classes", "school", "orgs", "schoolSourcedId"),
    ("classes", "terms", "academicSessions", "termSourcedIds"),
    ("users", "orgs", "orgs", "orgSourcedIds"),
    ("users", "agents", "users", "agentSourcedIds"),
    ("users", "primary_org", "orgs", "primaryOrgSourcedId"),
    ("roles", "user", "users", "userSourcedId"),
    ("roles", "org", "orgs", "orgSourcedId"),
    ("enrollments", "school_class", "classes", "classSourcedId"),
    ("enrollments", "school", "orgs", "schoolSourcedId"),
    ("enrollments", "user", "users", "userSourcedId"),
)


def read_roster(source: RosterSource, manifest: Manifest | None = None) -> RosterSet:
    """Parse every file the manifest lists; raise RosterError with all problems found."""
    manifest = manifest or read_manifest(source)
    problems: list[Problem] = []
    out: dict[str, list[rec.Record]] = {}
    for stem in ORDER:
        if stem not in manifest.modes:
            continue
        file = f"{stem}.csv"
        try:
            table = read_table(file, source.files[stem], HEADERS[manifest.version][stem])
        except RosterError as exc:
            problems += exc.problems
            continue
        reader = rec.READERS[stem]
        found = list(
            reader(table, problems, manifest.version)
            if stem == "users"
            else reader(table, problems)
        )
        out[stem] = found
        problems += _duplicates(file, found)
    if problems:
        raise RosterError(problems)
    return RosterSet(source.name, manifest.version, dict(manifest.modes), out)


def _duplicates(file: str, found: list[rec.Record]) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for record in found:
        first = seen.setdefault(record.sourced_id, record.line)
        if first != record.line and record.sourced_id:
            problems.append(
                Problem(
                    file, record.line, f"{record.sourced_id!r} is also on line {first}", "sourcedId"
                )
            )
    return problems


def available_ids(roster: RosterSet, stored: Mapping[str, Set[str]], target: str) -> set[str]:
    """Ids a reference to `target` may use after this import."""
    in_file = roster.records.get(target, [])
    kept = {r.sourced_id for r in in_file if not r.deleted}
    if roster.modes.get(target) == "bulk":
        return kept
    deleted = {r.sourced_id for r in in_file if r.deleted}
    return kept | (set(stored.get(target, ())) - deleted)


def check_references(roster: RosterSet, stored: Mapping[str, Set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    cache: dict[str, set[str]] = {}
    for file, attribute, target, column in REFERENCES:
        found = roster.records.get(file)
        if not found:
            continue
        ids = cache.get(target)
        if ids is None:
            ids = cache[target] = available_ids(roster, stored, target)
        for record in found:
            if record.deleted:
                continue
            value = getattr(record, attribute, "")
            for ref in value if isinstance(value, list) else [value] if value else []:
                if ref not in ids:
                    problems.append(
                        Problem(
                            f"{file}.csv",
                            record.line,
                            f"refers to {ref!r}, which is not in {target}.csv"
                            + ("" if roster.modes.get(target) == "bulk" else " nor already stored"),
                            column,
                        )
                    )
    return problems
