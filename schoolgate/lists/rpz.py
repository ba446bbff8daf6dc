"""RPZ zone files (Response Policy Zones, as BIND, Unbound and Knot read them): QNAME triggers only.

`name CNAME .` (NXDOMAIN) and `name CNAME *.` (NODATA) block exactly `name`; `*.name` the names
under it; `CNAME rpz-passthru.` is an allow-exception; `rpz-drop.` is read as a block. Rewrites to
other names, local data (A, AAAA, TXT…) and the IP/NSDNAME/client triggers say something our index
cannot, so they are reported as skipped, each with its line. The zone text is read line by line
(not with a zone parser that stops at the first error) so one bad record never costs the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from schoolgate.lists.lines import Lines
from schoolgate.lists.model import Action, Entry, ImportReport, Scope
from schoolgate.lists.names import BadName, normalise_name

_TTL = re.compile(r"(?:\d+[smhdwSMHDW]?)+")
_CLASSES = frozenset({"IN", "CH", "HS", "CS", "ANY"})
_TRIGGERS = ("rpz-ip", "rpz-client-ip", "rpz-nsdname", "rpz-nsip")
_APEX_TYPES = frozenset({"SOA", "NS"})

R_PARENS = "unbalanced parentheses"
R_ESCAPE = "escaped characters in a name (not supported)"
R_DIRECTIVE = "unsupported directive"
R_NO_TYPE = "record without a type"
R_NO_OWNER = "record without an owner name"
R_ORIGIN_UNKNOWN = "absolute owner name but the zone origin is unknown (give $ORIGIN)"
R_OUTSIDE = "owner name outside the zone origin"
R_TRIGGER = "RPZ trigger other than QNAME (not supported)"
R_REWRITE = "CNAME rewrite to another name (not a block or allow)"
R_TCP_ONLY = "rpz-tcp-only action (not supported)"
R_LOCAL_DATA = "local-data record (a rewrite, not a block or allow)"
R_APEX = "policy record at the zone apex"
R_WILDCARD_ALL = "wildcard for every name in the zone"
R_CNAME_ARGS = "CNAME needs exactly one target"
N_DROP = "rpz-drop read as a block"


@dataclass
class _Record:
    number: int
    raw: str
    owner_given: bool
    tokens: list[str]


def _strip_comment(line: str) -> str:
    if ";" not in line:
        return line
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return line[:i]
    return line


def _records(lines: Lines, source: str, report: ImportReport) -> Iterator[_Record]:
    """Join parenthesised records into one token list, keeping the first line's number."""
    pending: _Record | None = None
    depth = 0
    for number, raw in lines:
        text = _strip_comment(raw)
        opened, closed = text.count("("), text.count(")")
        tokens = text.replace("(", " ").replace(")", " ").split()
        if pending is not None:
            pending.tokens.extend(tokens)
            depth += opened - closed
            if depth <= 0:
                if depth < 0:
                    report.bad(source, pending.number, R_PARENS, pending.raw)
                else:
                    yield pending
                pending, depth = None, 0
            continue
        if not tokens:
            continue
        record = _Record(number, raw, not raw[:1].isspace(), tokens)
        depth = opened - closed
        if depth > 0:
            pending = record
        elif depth < 0:
            report.bad(source, number, R_PARENS, raw)
            depth = 0
        else:
            yield record
    if pending is not None:
        report.bad(source, pending.number, R_PARENS, pending.raw)


def _split_fields(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Skip the optional TTL and class (in either order); return (type, rdata)."""
    index = 0
    for _ in range(2):
        if index < len(tokens) and (
            _TTL.fullmatch(tokens[index]) or tokens[index].upper() in _CLASSES
        ):
            index += 1
    if index >= len(tokens):
        return None, []
    return tokens[index].upper(), tokens[index + 1 :]


def parse_rpz(
    lines: Lines,
    *,
    source: str,
    category: str,
    report: ImportReport,
    origin: str | None = None,
) -> Iterator[Entry]:
    """Entries of an RPZ zone; the origin comes from `origin`, `$ORIGIN`, or the SOA's owner."""
    zone = origin.lower().rstrip(".") if origin else None
    owner: str | None = None
    for record in _records(lines, source, report):
        number, raw, tokens = record.number, record.raw, record.tokens
        if "\\" in raw:
            report.bad(source, number, R_ESCAPE, raw)
            continue
        first = tokens[0]
        if record.owner_given and first.startswith("$"):
            directive = first.upper()
            if directive == "$ORIGIN" and len(tokens) >= 2:
                zone = tokens[1].lower().rstrip(".")
            elif directive != "$TTL":
                report.bad(source, number, f"{R_DIRECTIVE} {directive}", raw)
            continue
        if record.owner_given:
            owner, tokens = first, tokens[1:]
        if owner is None:
            report.bad(source, number, R_NO_OWNER, raw)
            continue
        rtype, rdata = _split_fields(tokens)
        if rtype is None:
            report.bad(source, number, R_NO_TYPE, raw)
            continue
        if rtype == "SOA" and zone is None and owner.endswith(".") and owner != ".":
            zone = owner.lower().rstrip(".")
        relative = _relative(owner, zone)
        if relative is None:
            reason = R_ORIGIN_UNKNOWN if zone is None else R_OUTSIDE
            report.bad(source, number, reason, raw)
            continue
        if relative == "":
            if rtype not in _APEX_TYPES:
                report.bad(source, number, R_APEX, raw)
            continue
        if rtype in _APEX_TYPES:
            report.skipped(source, number, f"{R_LOCAL_DATA}: {rtype}", raw)
            continue
        if rtype != "CNAME":
            report.skipped(source, number, R_LOCAL_DATA, raw)
            continue
        if len(rdata) != 1:
            report.bad(source, number, R_CNAME_ARGS, raw)
            continue
        action = _action(rdata[0].lower(), source, number, raw, report)
        if action is None:
            continue
        yield from _entry(relative, category, action, source, number, raw, report)


def _relative(owner: str, zone: str | None) -> str | None:
    """The owner name relative to the zone origin: '' for the apex, None if it cannot be placed."""
    name = owner.lower()
    if name == "@":
        return ""
    if not name.endswith("."):
        return name
    if zone is None:
        return None
    absolute = name.rstrip(".")
    if absolute == zone:
        return ""
    if zone and absolute.endswith("." + zone):
        return absolute[: -len(zone) - 1]
    if not zone:
        return absolute
    return None


def _action(target: str, source: str, number: int, raw: str, report: ImportReport) -> Action | None:
    if target in (".", "*."):
        return Action.BLOCK
    if target == "rpz-passthru.":
        return Action.ALLOW
    if target == "rpz-drop.":
        report.normalised[N_DROP] += 1
        return Action.BLOCK
    if target == "rpz-tcp-only.":
        report.skipped(source, number, R_TCP_ONLY, raw)
        return None
    report.skipped(source, number, R_REWRITE, raw)
    return None


def _entry(
    relative: str,
    category: str,
    action: Action,
    source: str,
    number: int,
    raw: str,
    report: ImportReport,
) -> Iterator[Entry]:
    last = relative.rsplit(".", 1)[-1]
    if last in _TRIGGERS:
        report.skipped(source, number, f"{R_TRIGGER}: {last}", raw)
        return
    scope = Scope.EXACT
    if relative == "*":
        report.bad(source, number, R_WILDCARD_ALL, raw)
        return
    if relative.startswith("*."):
        scope, relative = Scope.SUBDOMAINS, relative[2:]
    try:
        name = normalise_name(relative, report.normalised)
    except BadName as exc:
        report.rejected(source, number, exc.reason, raw, skipped=exc.skipped)
        return
    yield report.counted(Entry(name, category, action, scope))
