"""Adblock/AdGuard DNS filter syntax: the subset a resolver can honour, the rest reported.

`||name^` blocks the name and everything under it, `|name^` the name only, `@@` turns either into an
allow-exception, `||*.name^` means only the names under it. `!` and `#` start comments; hosts lines
are accepted as AdGuard Home accepts them. Anything else (cosmetic rules, URL paths, regular
expressions, `$modifiers`) is reported as skipped with its line number: a rule we cannot apply
exactly is not applied approximately, because applying `$client=…` or `$dnstype=…` to everyone would
block far more than the list's author asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schoolgate.lists.hosts import is_blocking_address, parse_hosts_line
from schoolgate.lists.lines import Lines
from schoolgate.lists.model import Action, Entry, ImportReport, Scope
from schoolgate.lists.names import BadName, normalise_name

_COSMETIC = re.compile(r"#@?[?$%]?#|\$@?\$")
_COMMENT_NOT_COSMETIC = re.compile(r"#(?![#@?$%])")

R_COSMETIC = "cosmetic or HTML rule (applies inside pages, not to DNS)"
R_REGEX = "regular-expression rule (not supported)"
R_URL = "URL or path rule (DNS sees host names only)"
R_WILDCARD = "wildcard inside a name (not supported; only a leading '*.' is)"
R_EMPTY = "rule without a name"
R_ALLOW_HOSTS = "'@@' before a hosts line"
N_BARE = "bare name in an Adblock list read as ||name^"
N_NO_CARET = "||name without ^ read as ||name^"


def modifier_reason(modifiers: str) -> str:
    names = sorted(
        {m.strip().split("=", 1)[0].lstrip("~") for m in modifiers.split(",") if m.strip()}
    )
    return "unsupported modifier " + ", ".join(f"${n}" for n in names)


def parse_adblock(
    lines: Lines,
    *,
    source: str,
    category: str,
    report: ImportReport,
    action: Action | None = None,
) -> Iterator[Entry]:
    """Entries of an Adblock/AdGuard list. `action` forces every rule to block or allow."""
    for number, raw in lines:
        yield from _parse_line(number, raw, source, category, report, action)


def _parse_line(
    number: int,
    raw: str,
    source: str,
    category: str,
    report: ImportReport,
    forced: Action | None,
) -> Iterator[Entry]:
    line = raw.strip()
    if not line or line.startswith("!") or (line.startswith("[") and line.endswith("]")):
        return
    if _COSMETIC.search(line):
        report.skipped(source, number, R_COSMETIC, raw)
        return
    if _COMMENT_NOT_COSMETIC.match(line):
        return
    allow = line.startswith("@@")
    body = line[2:] if allow else line
    action = forced or (Action.ALLOW if allow else Action.BLOCK)

    if body.startswith("/") and len(body) > 1:
        end = body.rfind("/")
        if end > 0 and (end == len(body) - 1 or body[end + 1] == "$"):
            report.skipped(source, number, R_REGEX, raw)
            return

    fields = body.split()
    if len(fields) > 1 and is_blocking_address(fields[0]) is not None:
        if allow:
            report.bad(source, number, R_ALLOW_HOSTS, raw)
            return
        yield from parse_hosts_line(
            number, body, source=source, category=category, report=report, action=action
        )
        return

    dollar = body.rfind("$")
    if dollar >= 0:
        modifiers = body[dollar + 1 :]
        body = body[:dollar]
        if modifiers.strip():
            report.skipped(source, number, modifier_reason(modifiers), raw)
            return

    if body.startswith("||"):
        scope, rest = Scope.SUBTREE, body[2:]
    elif body.startswith("|"):
        scope, rest = Scope.EXACT, body[1:]
    else:
        scope, rest = Scope.SUBTREE, body

    caret = rest.find("^")
    if caret >= 0:
        host, tail = rest[:caret], rest[caret + 1 :]
        if tail not in ("", "|"):
            report.skipped(source, number, R_URL, raw)
            return
    else:
        host = rest[:-1] if rest.endswith("|") else rest

    if "/" in host or ":" in host:
        report.skipped(source, number, R_URL, raw)
        return
    if host.startswith("*."):
        if scope is Scope.EXACT:
            report.skipped(source, number, R_WILDCARD, raw)
            return
        scope, host = Scope.SUBDOMAINS, host[2:]
    if "*" in host:
        report.skipped(source, number, R_WILDCARD, raw)
        return
    if not host.strip():
        report.bad(source, number, R_EMPTY, raw)
        return
    try:
        name = normalise_name(host, report.normalised)
    except BadName as exc:
        report.rejected(source, number, exc.reason, raw, skipped=exc.skipped)
        return
    if not body.startswith("|"):
        report.normalised[N_BARE] += 1
    elif caret < 0 and body.startswith("||"):
        report.normalised[N_NO_CARET] += 1
    yield report.counted(Entry(name, category, action, scope))
