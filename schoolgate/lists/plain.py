"""Plain domain lists: one name a line, `#` comments, `*.name` for "only the names under it".

A bare name means the name and everything under it, as in UT1's `domains` files (which are plain
lists) and squidGuard; pass `scope=Scope.EXACT` for lists written with hosts-file meaning.
"""

from __future__ import annotations

from collections.abc import Iterator

from schoolgate.lists.lines import Lines
from schoolgate.lists.model import Action, Entry, ImportReport, Scope
from schoolgate.lists.names import BadName, normalise_name

R_FIELDS = "more than one field on the line (a hosts file? give the format as hosts:PATH)"
R_URL = "URL or path, not a name (DNS sees host names only)"


def parse_plain(
    lines: Lines,
    *,
    source: str,
    category: str,
    report: ImportReport,
    action: Action = Action.BLOCK,
    scope: Scope = Scope.SUBTREE,
) -> Iterator[Entry]:
    """Entries of a plain list; each unusable line goes to `report` with its number."""
    notes = report.normalised
    count = 0
    try:
        for number, raw in lines:
            line = raw.split("#", 1)[0].strip() if "#" in raw else raw.strip()
            if not line or line.startswith(("!", ";")):
                continue
            if " " in line or "\t" in line:
                report.bad(source, number, R_FIELDS, raw)
                continue
            if "/" in line:
                report.skipped(source, number, R_URL, raw)
                continue
            wildcard = line.startswith("*.")
            try:
                name = normalise_name(line[2:] if wildcard else line, notes)
            except BadName as exc:
                report.rejected(source, number, exc.reason, raw, skipped=exc.skipped)
                continue
            count += 1
            yield Entry(name, category, action, Scope.SUBDOMAINS if wildcard else scope)
    finally:
        report.entries[(category, action)] += count
