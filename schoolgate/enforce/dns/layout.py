"""Where the records of an upstream response sit, so it can be reused without re-encoding.

The resolver passes upstream answers on as bytes: it patches the ID, the question's letter case
and the TTLs in place, and cuts off the upstream's OPT record for a client that sent none.
`layout` finds those places once per response (bounds-checked, never following a pointer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from schoolgate.enforce.dns.wire import HEADER, RR_FIXED, TYPE_OPT, TYPE_SOA, skip_name

MAX_RECORDS: Final = 512


@dataclass(frozen=True, slots=True)
class Layout:
    rcode: int
    question_end: int
    ttl_offsets: tuple[int, ...]  # every TTL field but the OPT record's (which is not a TTL)
    min_ttl: int | None  # lowest TTL among answers, or the SOA's for a negative answer
    opt_start: int | None  # offset of the OPT record, when it is the last record
    answers: int


def layout(wire: bytes) -> Layout:
    """Locate the parts of a response; ValueError when it is malformed or unusual."""
    if len(wire) < HEADER.size:
        raise ValueError("shorter than a header")
    _, flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(wire)
    if qdcount != 1:
        raise ValueError("not exactly one question")
    total = ancount + nscount + arcount
    if total > MAX_RECORDS:
        raise ValueError("too many records")
    pos = skip_name(wire, HEADER.size) + 4
    if pos > len(wire):
        raise ValueError("question cut short")
    question_end = pos
    offsets: list[int] = []
    answer_ttls: list[int] = []
    soa_ttl: int | None = None
    opt_start: int | None = None
    for index in range(total):
        start = pos
        pos = skip_name(wire, pos)
        if pos + RR_FIXED.size > len(wire):
            raise ValueError("record cut short")
        rtype, _, ttl, rdlength = RR_FIXED.unpack_from(wire, pos)
        ttl_at = pos + 4
        pos += RR_FIXED.size + rdlength
        if pos > len(wire):
            raise ValueError("record data cut short")
        if rtype == TYPE_OPT:
            if index != total - 1 or opt_start is not None:
                raise ValueError("OPT record not last")
            opt_start = start
            continue
        offsets.append(ttl_at)
        if index < ancount:
            answer_ttls.append(ttl)
        elif index < ancount + nscount and rtype == TYPE_SOA:
            soa_ttl = ttl if soa_ttl is None else min(soa_ttl, ttl)
    if answer_ttls:
        min_ttl: int | None = min(answer_ttls)
    else:
        min_ttl = soa_ttl
    return Layout(
        rcode=flags & 0xF,
        question_end=question_end,
        ttl_offsets=tuple(offsets),
        min_ttl=min_ttl,
        opt_start=opt_start,
        answers=ancount,
    )
