"""DHCP lease files → leases: ISC dhcpd `dhcpd.leases` and Kea `leases4.csv`.

Pure parsers (no Django) with errors that name file:line. An ISC file is a log: a later block
for the same address replaces an earlier one. Only leases in the `active` state (Kea state 0)
that have not ended are returned.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schoolgate.control.people.oneroster.csvread import decode
from schoolgate.control.people.oneroster.problems import Problem, RosterError

MAC = re.compile(r"^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$")


class LeaseError(ValueError):
    """A lease file that cannot be read; `problems` name file:line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:50]))


@dataclass(frozen=True, slots=True)
class Lease:
    address: str
    mac: str
    hostname: str
    starts: dt.datetime | None
    ends: dt.datetime
    state: str  # active, free, expired, released, declined, …


def normal_mac(value: str) -> str:
    return ":".join(f"{int(part, 16):02x}" for part in value.split(":"))


def _address(value: str) -> str:
    return str(ipaddress.ip_address(value))


# ---------------------------------------------------------------- ISC dhcpd.leases

_TOKEN = re.compile(r'\s*(?:(#[^\n]*)|("(?:[^"\\]|\\.)*")|([{};])|([^\s{};"]+))')


def _tokens(file: str, text: str) -> Iterator[tuple[str, int]]:
    """Words, quoted strings and `{ } ;`, each with its line; comments dropped."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    pos = 0
    while True:
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            rest = text[pos:].strip()
            if rest:
                where = bisect.bisect_right(line_starts, len(text) - len(text[pos:].lstrip()))
                raise LeaseError([Problem(file, where, f"cannot read {rest[:20]!r}")])
            return
        pos = match.end()
        if match.group(1):
            continue
        group = match.lastindex or 0
        yield match.group(group), bisect.bisect_right(line_starts, match.start(group))


def _isc_time(file: str, line: int, words: list[str]) -> dt.datetime | None:
    """`3 2026/10/05 14:00:00` (UTC), `epoch 1759672800` or `never`."""
    if words == ["never"]:
        return None
    if len(words) == 2 and words[0] == "epoch" and words[1].isdigit():
        return dt.datetime.fromtimestamp(int(words[1]), dt.UTC)
    if len(words) == 3 and words[0].isdigit():
        try:
            return dt.datetime.strptime(f"{words[1]} {words[2]}", "%Y/%m/%d %H:%M:%S").replace(
                tzinfo=dt.UTC
            )
        except ValueError:
            pass
    raise LeaseError([Problem(file, line, f"{' '.join(words)!r} is not a lease time")])


def parse_isc(file: str, data: bytes) -> list[Lease]:
    try:
        text = decode(file, data)
    except RosterError as exc:
        raise LeaseError(exc.problems) from None
    tokens = list(_tokens(file, text))
    leases: dict[str, Lease] = {}
    i = 0
    while i < len(tokens):
        word, line = tokens[i]
        if word != "lease":
            # Other top-level statements (authoring-byte-order, server-duid, host, …) end at ';'
            # or are a block; skip them whole.
            i = _skip_statement(file, tokens, i)
            continue
        if i + 2 >= len(tokens) or tokens[i + 2][0] != "{":
            raise LeaseError([Problem(file, line, "expected `lease ADDRESS {`")])
        try:
            address = _address(tokens[i + 1][0])
        except ValueError:
            raise LeaseError(
                [Problem(file, line, f"{tokens[i + 1][0]!r} is not an address")]
            ) from None
        i += 3
        fields: dict[str, tuple[list[str], int]] = {}
        while True:
            if i >= len(tokens):
                raise LeaseError([Problem(file, line, f"lease {address} is not closed with }}")])
            if tokens[i][0] == "}":
                i += 1
                break
            statement: list[str] = []
            start = tokens[i][1]
            while i < len(tokens) and tokens[i][0] not in (";", "}", "{"):
                statement.append(tokens[i][0])
                i += 1
            if i >= len(tokens) or tokens[i][0] != ";":
                raise LeaseError(
                    [Problem(file, start, f"statement {' '.join(statement)!r} does not end with ;")]
                )
            i += 1
            if not statement:
                continue
            if statement[0] in ("binding", "next", "rewind") and "state" in statement:
                key = " ".join(statement[: statement.index("state") + 1])
                fields[key] = (statement[statement.index("state") + 1 :], start)
            elif statement[0] in ("hardware", "set", "on"):
                fields[" ".join(statement[:2])] = (statement[2:], start)
            else:
                fields[statement[0]] = (statement[1:], start)
        ends_words, ends_line = fields.get("ends", (["never"], line))
        ends = _isc_time(file, ends_line, ends_words) or dt.datetime.max.replace(tzinfo=dt.UTC)
        starts = None
        if "starts" in fields:
            starts = _isc_time(file, fields["starts"][1], fields["starts"][0])
        mac = ""
        if "hardware ethernet" in fields:
            words, where = fields["hardware ethernet"]
            if len(words) != 1 or not MAC.match(words[0]):
                raise LeaseError(
                    [Problem(file, where, f"{' '.join(words)!r} is not a MAC address")]
                )
            mac = normal_mac(words[0])
        hostname = fields.get("client-hostname", ([""], line))[0][0].strip('"')
        state = fields.get("binding state", (["active"], line))[0][0]
        leases[address] = Lease(address, mac, hostname, starts, ends, state)
    return list(leases.values())


def _skip_statement(file: str, tokens: list[tuple[str, int]], i: int) -> int:
    depth = 0
    start = tokens[i][1]
    while i < len(tokens):
        word = tokens[i][0]
        i += 1
        if word == "{":
            depth += 1
        elif word == "}":
            depth -= 1
            if depth <= 0:
                return i
        elif word == ";" and depth == 0:
            return i
    raise LeaseError([Problem(file, start, "statement is not closed")])


# ---------------------------------------------------------------- Kea leases4.csv

KEA_HEADERS = (
    (
        "address",
        "hwaddr",
        "client_id",
        "valid_lifetime",
        "expire",
        "subnet_id",
        "fqdn_fwd",
        "fqdn_rev",
        "hostname",
        "state",
    ),
)
KEA_OPTIONAL = ("user_context", "pool_id")
KEA_STATES = {"0": "active", "1": "declined", "2": "expired"}


def parse_kea(file: str, data: bytes) -> list[Lease]:
    try:
        text = decode(file, data)
    except RosterError as exc:
        raise LeaseError(exc.problems) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise LeaseError([Problem(file, 1, f"CSV syntax: {exc}")]) from None
    base = KEA_HEADERS[0]
    if (
        not header
        or tuple(header[: len(base)]) != base
        or any(h not in KEA_OPTIONAL for h in header[len(base) :])
    ):
        raise LeaseError(
            [
                Problem(
                    file,
                    1,
                    f"header is not Kea's leases4.csv header "
                    f"({','.join(base)}[,user_context][,pool_id])",
                )
            ]
        )
    problems: list[Problem] = []
    leases: dict[str, Lease] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(file, reader.line_num, f"CSV syntax: {exc}"))
            break
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            problems.append(
                Problem(file, line, f"has {len(row)} fields; the header has {len(header)}")
            )
            continue
        values = dict(zip(header, row, strict=True))
        try:
            address = _address(values["address"])
        except ValueError:
            problems.append(
                Problem(file, line, f"{values['address']!r} is not an address", "address")
            )
            continue
        mac = values["hwaddr"]
        if mac and not MAC.match(mac):
            problems.append(Problem(file, line, f"{mac!r} is not a MAC address", "hwaddr"))
            continue
        if not values["expire"].isdigit() or not values["valid_lifetime"].isdigit():
            problems.append(
                Problem(file, line, "expire and valid_lifetime must be whole seconds", "expire")
            )
            continue
        expire = int(values["expire"])
        if expire > 2**33:
            problems.append(Problem(file, line, f"expire {expire} is out of range", "expire"))
            continue
        ends = dt.datetime.fromtimestamp(expire, dt.UTC)
        starts = ends - dt.timedelta(seconds=int(values["valid_lifetime"]))
        state = KEA_STATES.get(values["state"])
        if state is None:
            problems.append(
                Problem(file, line, f"state {values['state']!r} is not 0, 1 or 2", "state")
            )
            continue
        # The lease file is appended to: the last line for an address is the current one.
        leases[address] = Lease(
            address,
            normal_mac(mac) if mac else "",
            values["hostname"].rstrip("."),
            starts,
            ends,
            state,
        )
    if problems:
        raise LeaseError(problems)
    return list(leases.values())


def sniff(name: str, data: bytes) -> str:
    """Kea for a CSV file (by name or by its first column), ISC dhcpd otherwise."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return "kea" if name.endswith(".csv") or head.startswith(b"address,") else "isc"


def read_leases(path: Path, kind: str = "auto") -> tuple[str, list[Lease]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LeaseError([Problem(str(path), None, f"cannot be read: {exc.strerror}")]) from None
    kind = sniff(path.name, data) if kind == "auto" else kind
    parse = parse_kea if kind == "kea" else parse_isc
    return kind, parse(path.name, data)


def active(leases: list[Lease], now: dt.datetime) -> list[Lease]:
    return [lease for lease in leases if lease.state == "active" and lease.ends > now]
