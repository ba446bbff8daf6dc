"""Hosts files (`0.0.0.0 ads.example.com`): each name on a null or loopback address is blocked.

A hosts line names exactly one host, not its subdomains (AdGuard Home and Pi-hole read it the same
way), so entries are `EXACT`. A line mapping a name to a real address is a rewrite, not a block,
and is reported rather than turned into a block; the standard local names every hosts file starts
with (`localhost`, `ip6-allnodes`, …) are counted as skipped.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from schoolgate.lists.lines import Lines
from schoolgate.lists.model import Action, Entry, ImportReport, Scope
from schoolgate.lists.names import BadName, normalise_name

LOCAL_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "local",
        "broadcasthost",
        "ip6-localhost",
        "ip6-loopback",
        "ip6-localnet",
        "ip6-mcastprefix",
        "ip6-allnodes",
        "ip6-allrouters",
        "ip6-allhosts",
        "0.0.0.0",  # noqa: S104 - a name some hosts files list, not an address we bind
    }
)

R_NO_ADDRESS = (
    "hosts line must start with an IP address (a plain list? give the format as plain:PATH)"
)
R_NO_NAME = "address without a name"
R_LOCAL = "standard local host name"
R_REWRITE = "maps the name to a real address (a rewrite, not a block)"


def is_blocking_address(text: str) -> bool | None:
    """True for 0.0.0.0, ::, and loopback; False for any other address; None if not an address."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    return address.is_unspecified or address.is_loopback


def parse_hosts(
    lines: Lines,
    *,
    source: str,
    category: str,
    report: ImportReport,
    action: Action = Action.BLOCK,
    scope: Scope = Scope.EXACT,
) -> Iterator[Entry]:
    """Entries of a hosts file; each unusable line or name goes to `report` with its number."""
    for number, raw in lines:
        yield from parse_hosts_line(
            number, raw, source=source, category=category, report=report, action=action, scope=scope
        )


def parse_hosts_line(
    number: int,
    raw: str,
    *,
    source: str,
    category: str,
    report: ImportReport,
    action: Action = Action.BLOCK,
    scope: Scope = Scope.EXACT,
) -> Iterator[Entry]:
    """One hosts line (shared with the Adblock parser, which accepts hosts lines too)."""
    fields = raw.split("#", 1)[0].split()
    if not fields:
        return
    blocking = is_blocking_address(fields[0])
    if blocking is None:
        report.bad(source, number, R_NO_ADDRESS, raw)
        return
    if len(fields) == 1:
        report.bad(source, number, R_NO_NAME, raw)
        return
    if not blocking:
        report.skipped(source, number, R_REWRITE, raw)
        return
    for field in fields[1:]:
        if field.lower() in LOCAL_NAMES:
            report.skipped(source, number, R_LOCAL, field)
            continue
        try:
            name = normalise_name(field, report.normalised)
        except BadName as exc:
            report.rejected(source, number, exc.reason, raw, skipped=exc.skipped)
            continue
        yield report.counted(Entry(name, category, action, scope))
