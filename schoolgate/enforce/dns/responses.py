"""Writing answers: synthesised ones (blocked, SafeSearch, errors) and upstream ones passed on.

Answers are built as bytes from the query's own question section, so the client sees its name in
the letter case it sent, and every synthesised record points at that name (0xC00C) instead of
repeating it. Extended DNS Errors (RFC 8914) tell an EDNS client why a name was filtered.
"""

from __future__ import annotations

import functools
import ipaddress
import struct
from typing import Final

from schoolgate.enforce.dns.layout import Layout
from schoolgate.enforce.dns.wire import (
    CLASS_IN,
    HEADER,
    RR_FIXED,
    TYPE_A,
    TYPE_AAAA,
    TYPE_CNAME,
    TYPE_OPT,
    TYPE_SOA,
    Query,
    name_to_wire,
)

SERVER_PAYLOAD: Final = 1232  # the DNS Flag Day 2020 size: no IP fragmentation on real paths
EDE_OPTION: Final = 15
EDE_BLOCKED: Final = 15
EDE_FILTERED: Final = 17
EDE_NOT_READY: Final = 14
POINTER_TO_QNAME: Final = b"\xc0\x0c"
_FLAG_KEEP: Final = 0x7800 | 0x0100 | 0x0010  # opcode, RD, CD
_FLAG_QR_RA: Final = 0x8000 | 0x0080
_SOA_NAMES: Final = name_to_wire("schoolgate.invalid") + name_to_wire(
    "hostmaster.schoolgate.invalid"
)
_U16: Final = struct.Struct("!H")


def udp_limit(query: Query, server_payload: int = SERVER_PAYLOAD) -> int:
    """The largest UDP answer this client can take: 512 without EDNS (RFC 1035, RFC 6891)."""
    if query.edns_payload is None:
        return 512
    return max(512, min(query.edns_payload, server_payload))


@functools.lru_cache(maxsize=4096)  # a handful of distinct reasons, asked for on every block
def opt_record(dnssec_ok: bool, ede: tuple[int, str] | None = None, ext_rcode: int = 0) -> bytes:
    options = b""
    if ede is not None:
        code, text = ede
        data = _U16.pack(code) + text.encode("utf-8")[:200]
        options = _U16.pack(EDE_OPTION) + _U16.pack(len(data)) + data
    ttl = (ext_rcode << 24) | (0x8000 if dnssec_ok else 0)
    return b"\x00" + RR_FIXED.pack(TYPE_OPT, SERVER_PAYLOAD, ttl, len(options)) + options


def _header(query: Query, rcode: int, an: int, ns: int, ar: int, tc: bool = False) -> bytes:
    flags = _FLAG_QR_RA | (query.flags & _FLAG_KEEP) | (rcode & 0xF) | (0x0200 if tc else 0)
    return HEADER.pack(query.id, flags, 1, an, ns, ar)


def rr(rtype: int, ttl: int, rdata: bytes) -> bytes:
    """A record owned by the query's name."""
    return POINTER_TO_QNAME + RR_FIXED.pack(rtype, CLASS_IN, ttl, len(rdata)) + rdata


def rr_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, ttl: int) -> bytes:
    rtype = TYPE_A if address.version == 4 else TYPE_AAAA
    return rr(rtype, ttl, address.packed)


def rr_cname(target: str, ttl: int) -> bytes:
    return rr(TYPE_CNAME, ttl, name_to_wire(target))


def rr_soa(ttl: int) -> bytes:
    """The SOA a negative answer carries so clients cache it for `ttl` seconds (RFC 2308)."""
    rdata = _SOA_NAMES + struct.pack("!IIIII", 1, 3600, 600, 86400, ttl)
    return rr(TYPE_SOA, ttl, rdata)


def synthesise(
    query: Query,
    rcode: int,
    answers: tuple[bytes, ...] = (),
    authority: tuple[bytes, ...] = (),
    ede: tuple[int, str] | None = None,
) -> bytes:
    """A complete answer to `query` from ready-made records."""
    edns = query.edns_payload is not None
    head = _header(query, rcode, len(answers), len(authority), 1 if edns else 0)
    body = b"".join(answers) + b"".join(authority)
    tail = opt_record(query.dnssec_ok, ede) if edns else b""
    return head + query.question + body + tail


def error_reply(query_id: int, flags: int, rcode: int) -> bytes:
    """An answer to a query that could not be parsed far enough to echo its question."""
    ext, low = rcode >> 4, rcode & 0xF
    out_flags = _FLAG_QR_RA | (flags & _FLAG_KEEP) | low
    if ext:  # BADVERS needs an OPT record to carry the upper bits of the code
        return HEADER.pack(query_id, out_flags, 0, 0, 0, 1) + opt_record(False, ext_rcode=ext)
    return HEADER.pack(query_id, out_flags, 0, 0, 0, 0)


def truncated(query: Query) -> bytes:
    """Header and question only, with TC set: 'ask again over TCP'."""
    edns = query.edns_payload is not None
    head = _header(query, 0, 0, 0, 1 if edns else 0, tc=True)
    return head + query.question + (opt_record(query.dnssec_ok) if edns else b"")


def fit(query: Query, wire: bytes, limit: int) -> bytes:
    return wire if len(wire) <= limit else truncated(query)


def relay(query: Query, wire: bytes, lay: Layout, elapsed: int) -> bytes:
    """An upstream (or cached) answer made the client's: its ID, its question, its EDNS.

    `wire` is the upstream's answer; `elapsed` seconds since it arrived are taken off its TTLs.
    """
    end = lay.opt_start if lay.opt_start is not None else len(wire)
    out = bytearray(wire[:end])
    qlen = len(query.question)
    out[0:2] = _U16.pack(query.id)
    out[12 : 12 + qlen] = query.question  # same name (compared case-insensitively), client's case
    flags = (_U16.unpack_from(out, 2)[0] & ~_FLAG_KEEP & 0xFFFF) | (query.flags & _FLAG_KEEP)
    out[2:4] = _U16.pack(flags | _FLAG_QR_RA)
    if elapsed > 0:
        for at in lay.ttl_offsets:
            ttl = int.from_bytes(out[at : at + 4], "big")
            out[at : at + 4] = max(0, ttl - elapsed).to_bytes(4, "big")
    arcount = _U16.unpack_from(out, 10)[0] - (1 if lay.opt_start is not None else 0)
    if query.edns_payload is not None:
        out += opt_record(query.dnssec_ok)
        arcount += 1
    out[10:12] = _U16.pack(arcount)
    return bytes(out)
