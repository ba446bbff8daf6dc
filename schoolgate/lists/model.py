"""What every list importer produces: entries, and a report of what it could not use.

The importers differ only in syntax; once a line is understood it becomes the same `Entry`, so the
index builder, the CLI and the tests never need to know which format a name came from. Anything an
importer cannot use is recorded in an `ImportReport` with the file and line, never dropped silently.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field


class Action(enum.Enum):
    """Whether a listed name is put in its category or exempted from other lists."""

    __hash__ = object.__hash__  # members are singletons; Enum's own hash is slow Python

    BLOCK = "block"
    ALLOW = "allow"


class Scope(enum.Enum):
    """Which names an entry covers, relative to the listed name.

    `SUBTREE` is UT1's and `||name^`'s meaning (the name and every name under it), `EXACT` is a
    hosts file's and `|name^`'s, and `SUBDOMAINS` is `*.name` (names under it, not the name).
    """

    __hash__ = object.__hash__  # members are singletons; Enum's own hash is slow Python

    SUBTREE = "subtree"
    EXACT = "exact"
    SUBDOMAINS = "subdomains"


@dataclass(frozen=True, slots=True)
class Entry:
    """One normalised listed name: A-labels, lower case, no trailing dot."""

    name: str
    category: str
    action: Action = Action.BLOCK
    scope: Scope = Scope.SUBTREE


class Severity(enum.Enum):
    """`BAD` lines are malformed; `SKIPPED` ones are well formed but ask for what DNS cannot do."""

    __hash__ = object.__hash__  # members are singletons; Enum's own hash is slow Python

    BAD = "bad"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Problem:
    """A line (or, with `line == 0`, a whole file) that was not imported, and why."""

    source: str
    line: int
    severity: Severity
    reason: str
    text: str = ""
    count: int = 1

    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def __str__(self) -> str:
        shown = f": {self.text!r}" if self.text else ""
        many = f" ({self.count} lines)" if self.count > 1 else ""
        return f"{self.where()}: {self.severity.value}: {self.reason}{many}{shown}"


# Real lists can have hundreds of thousands of lines of one kind that DNS cannot use (EasyList's
# cosmetic rules); every one is counted, but only the first few of each kind per file are kept.
DEFAULT_DETAIL_LIMIT = 20
_TEXT_LIMIT = 200


@dataclass
class ImportReport:
    """Counts and problems gathered while importing; importers append, nobody removes."""

    detail_limit: int = DEFAULT_DETAIL_LIMIT
    problems: list[Problem] = field(default_factory=list)
    problem_counts: Counter[tuple[Severity, str]] = field(default_factory=Counter)
    entries: Counter[tuple[str, Action]] = field(default_factory=Counter)
    lines: int = 0
    normalised: Counter[str] = field(default_factory=Counter)
    aliases: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _details: Counter[tuple[str, Severity, str]] = field(default_factory=Counter, repr=False)

    def add(
        self,
        source: str,
        line: int,
        severity: Severity,
        reason: str,
        text: str = "",
        *,
        count: int = 1,
    ) -> None:
        """Count a problem; keep its details while this file has few of this kind."""
        self.problem_counts[(severity, reason)] += count
        key = (source, severity, reason)
        self._details[key] += 1
        if self._details[key] <= self.detail_limit:
            clipped = text if len(text) <= _TEXT_LIMIT else text[:_TEXT_LIMIT] + "…"
            self.problems.append(Problem(source, line, severity, reason, clipped, count))

    def bad(self, source: str, line: int, reason: str, text: str = "") -> None:
        self.add(source, line, Severity.BAD, reason, text)

    def skipped(self, source: str, line: int, reason: str, text: str = "") -> None:
        self.add(source, line, Severity.SKIPPED, reason, text)

    def rejected(self, source: str, line: int, reason: str, text: str, *, skipped: bool) -> None:
        """A name the normaliser refused: bad, or (an IP address, say) merely not a name."""
        self.add(source, line, Severity.SKIPPED if skipped else Severity.BAD, reason, text)

    def counted(self, entry: Entry) -> Entry:
        """Count an entry on its way out of an importer (returns it, for `yield`)."""
        self.entries[(entry.category, entry.action)] += 1
        return entry

    @property
    def bad_lines(self) -> int:
        return sum(n for (sev, _), n in self.problem_counts.items() if sev is Severity.BAD)

    @property
    def skipped_lines(self) -> int:
        return sum(n for (sev, _), n in self.problem_counts.items() if sev is Severity.SKIPPED)

    @property
    def entry_count(self) -> int:
        return sum(self.entries.values())
