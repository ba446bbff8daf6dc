"""Parsing a DNS query from untrusted bytes, fast and without surprises.

Every query the resolver answers passes through `parse_query`, so it is written by hand for the
one shape a stub resolver sends (a header, one question, optionally one OPT record) and checks
every length against the buffer: truncated, oversized, looping or garbage input raises
`BadQuery` with the response code to answer with, or `Drop` when no answer can be addressed.
A compression pointer in the question is refused (it can only point into the header).
"""

from __future__ import annotations

import struct
from typing import Final, NamedTuple

HEADER: Final = struct.Struct("!HHHHHH")
RR_FIXED: Final = struct.Struct("!HHIH")
TYPE_CLASS: Final = struct.Struct("!HH")

FORMERR: Final = 1
SERVFAIL: Final = 2
NXDOMAIN: Final = 3
NOTIMP: Final = 4
REFUSED: Final = 5
BADVERS: Final = 16

TYPE_A: Final = 1
TYPE_NS: Final = 2
TYPE_CNAME: Final = 5
TYPE_SOA: Final = 6
TYPE_AAAA: Final = 28
TYPE_OPT: Final = 41
TYPE_SVCB: Final = 64
TYPE_HTTPS: Final = 65
TYPE_AXFR: Final = 252
TYPE_IXFR: Final = 251
TYPE_ANY: Final = 255
CLASS_IN: Final = 1

MAX_MESSAGE: Final = 65535
MAX_NAME_WIRE: Final = 255

# Bytes that stand for themselves in a name's text form; anything else is written \DDD.
_PLAIN_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789-_*"
_PLAIN = frozenset(_PLAIN_BYTES)
_UPPER_TO_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")

_TYPE_NAMES: Final = {
    1: "A",
    2: "NS",
    5: "CNAME",
    6: "SOA",
    12: "PTR",
    15: "MX",
    16: "TXT",
    28: "AAAA",
    33: "SRV",
    35: "NAPTR",
    43: "DS",
    48: "DNSKEY",
    64: "SVCB",
    65: "HTTPS",
    99: "SPF",
    251: "IXFR",
    252: "AXFR",
    255: "ANY",
    257: "CAA",
}


class Drop(ValueError):
    """Input that gets no answer: too short to hold a header, or itself a response."""


class BadQuery(ValueError):
    """A query that is answered with an error code (FORMERR, NOTIMP, BADVERS)."""

    def __init__(self, rcode: int, reason: str, query_id: int, flags: int) -> None:
        super().__init__(reason)
        self.rcode = rcode
        self.reason = reason
        self.query_id = query_id
        self.flags = flags


class Query(NamedTuple):  # a tuple: built once per packet, so the cheapest immutable record
    id: int
    flags: int
    qname: str  # lower case, no trailing dot; "" for the root
    question: bytes  # the question section as received (name, type, class): echoed back
    qtype: int
    qclass: int
    edns_payload: int | None  # the client's UDP payload size; None without EDNS
    dnssec_ok: bool

    @property
    def qname_wire(self) -> bytes:
        return self.question[:-4]

    @property
    def type_name(self) -> str:
        return type_name(self.qtype)


def type_name(qtype: int) -> str:
    return _TYPE_NAMES.get(qtype) or f"TYPE{qtype}"


def parse_query(data: bytes) -> Query:
    """Parse one query; raise Drop or BadQuery for anything a stub resolver would not send."""
    size = len(data)
    if size < HEADER.size:
        raise Drop("shorter than a DNS header")
    if size > MAX_MESSAGE:
        raise Drop("longer than a DNS message can be")
    qid, flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(data)
    if flags & 0x8000:
        raise Drop("a response, not a query")
    opcode = (flags >> 11) & 0xF
    if opcode != 0:
        raise BadQuery(NOTIMP, f"opcode {opcode} is not supported", qid, flags)
    if qdcount != 1:
        raise BadQuery(FORMERR, f"{qdcount} questions; exactly one is supported", qid, flags)
    if ancount or nscount:
        raise BadQuery(FORMERR, "a query with answer or authority records", qid, flags)
    pos, labels = _read_question_name(data, qid, flags)
    if pos + 4 > size:
        raise BadQuery(FORMERR, "question cut short", qid, flags)
    qtype, qclass = TYPE_CLASS.unpack_from(data, pos)
    question = data[HEADER.size : pos + 4]
    pos += 4
    edns_payload: int | None = None
    dnssec_ok = False
    for _ in range(arcount):
        pos, rtype, rclass, ttl, owner_is_root = _skip_rr(data, pos, qid, flags)
        if rtype != TYPE_OPT:
            continue  # TSIG/SIG(0) and others: not used by this resolver
        if edns_payload is not None:
            raise BadQuery(FORMERR, "more than one OPT record", qid, flags)
        if not owner_is_root:
            raise BadQuery(FORMERR, "OPT record not owned by the root", qid, flags)
        version = (ttl >> 16) & 0xFF
        if version != 0:
            raise BadQuery(BADVERS, f"EDNS version {version} is not supported", qid, flags)
        edns_payload = max(512, rclass)
        dnssec_ok = bool(ttl & 0x8000)
    return Query(
        id=qid,
        flags=flags,
        qname=_text(labels),
        question=question,
        qtype=qtype,
        qclass=qclass,
        edns_payload=edns_payload,
        dnssec_ok=dnssec_ok,
    )


def _read_question_name(data: bytes, qid: int, flags: int) -> tuple[int, list[bytes]]:
    pos = HEADER.size
    size = len(data)
    labels: list[bytes] = []
    while True:
        if pos >= size:
            raise BadQuery(FORMERR, "question name cut short", qid, flags)
        length = data[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0:
            raise BadQuery(FORMERR, "compressed or extended label in the question", qid, flags)
        end = pos + 1 + length
        if end > size:
            raise BadQuery(FORMERR, "question label cut short", qid, flags)
        labels.append(data[pos + 1 : end])
        pos = end
        if pos - HEADER.size > MAX_NAME_WIRE:
            raise BadQuery(FORMERR, "question name longer than 255 bytes", qid, flags)
    return pos, labels


def skip_name(data: bytes, pos: int) -> int:
    """Offset just past a (possibly compressed) name; ValueError when it runs off the end.

    Only skips, never follows a pointer, so a compression loop cannot make it spin.
    """
    size = len(data)
    for _ in range(128):  # a name has at most 127 labels
        if pos >= size:
            raise ValueError("name runs past the end of the message")
        length = data[pos]
        if length == 0:
            return pos + 1
        if length & 0xC0 == 0xC0:
            if pos + 2 > size:
                raise ValueError("compression pointer cut short")
            return pos + 2
        if length & 0xC0:
            raise ValueError("extended label type")
        pos += 1 + length
    raise ValueError("name has too many labels")


def _skip_rr(data: bytes, pos: int, qid: int, flags: int) -> tuple[int, int, int, int, bool]:
    try:
        start = pos
        pos = skip_name(data, pos)
    except ValueError as exc:
        raise BadQuery(FORMERR, f"additional record: {exc}", qid, flags) from None
    if pos + RR_FIXED.size > len(data):
        raise BadQuery(FORMERR, "additional record cut short", qid, flags)
    rtype, rclass, ttl, rdlength = RR_FIXED.unpack_from(data, pos)
    pos += RR_FIXED.size + rdlength
    if pos > len(data):
        raise BadQuery(FORMERR, "additional record data cut short", qid, flags)
    return pos, rtype, rclass, ttl, data[start] == 0


def _text(labels: list[bytes]) -> str:
    out = []
    for label in labels:
        lowered = label.translate(_UPPER_TO_LOWER)
        if not lowered.translate(None, _PLAIN_BYTES):  # every byte is a plain one
            out.append(lowered.decode("ascii"))
        else:
            out.append("".join(chr(b) if b in _PLAIN else f"\\{b:03d}" for b in lowered))
    return ".".join(out)


def name_to_wire(name: str) -> bytes:
    """Wire form of a plain dotted name (no escapes): for names this resolver writes itself."""
    if not name or name == ".":
        return b"\x00"
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError(f"bad label in {name!r}")
        out.append(len(raw))
        out += raw
    out.append(0)
    return bytes(out)
