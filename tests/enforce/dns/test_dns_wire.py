"""Parsing untrusted packets: hand-picked nasties and Hypothesis garbage; never a crash or hang."""

from __future__ import annotations

import contextlib
import struct

import dns.message
import dns.rcode
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolgate.enforce.dns.handler import Handler, Reply
from schoolgate.enforce.dns.layout import layout
from schoolgate.enforce.dns.wire import BadQuery, Drop, parse_query

HEADER = struct.Struct("!HHHHHH")


def test_a_plain_query_parses_with_its_edns_size_and_do_bit() -> None:
    query = dns.message.make_query(
        "WWW.Example.COM", "AAAA", use_edns=0, payload=4096, want_dnssec=True
    )
    parsed = parse_query(query.to_wire())
    assert parsed.qname == "www.example.com"
    assert parsed.qtype == 28 and parsed.edns_payload == 4096 and parsed.dnssec_ok
    assert parsed.question.startswith(b"\x03WWW\x07Example")


def test_odd_bytes_in_a_label_are_escaped_not_trusted() -> None:
    wire = HEADER.pack(1, 0x0100, 1, 0, 0, 0) + b'\x03a.b\x04\x00\xff"x\x00\x00\x01\x00\x01'
    assert parse_query(wire).qname == "a\\046b.\\000\\255\\034x"


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (b"\x00\x01", Drop),
        (HEADER.pack(1, 0x8000, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01", Drop),
        (HEADER.pack(1, 0, 1, 0, 0, 0) + b"\x05abc", BadQuery),
        (HEADER.pack(1, 0, 1, 0, 0, 0) + b"\x00\x00", BadQuery),
        (HEADER.pack(1, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01", BadQuery),
        (HEADER.pack(1, 0, 1, 0, 0, 0) + b"\x3f" + b"a" * 63 * 5, BadQuery),
        (HEADER.pack(1, 0, 1, 0, 0, 2) + b"\x00\x00\x01\x00\x01" + b"\x00\x00\x29" * 2, BadQuery),
        (HEADER.pack(1, 0, 1, 0, 0, 1) + b"\x00\x00\x01\x00\x01\xc0\x11", BadQuery),
        (HEADER.pack(1, 0, 1, 0, 0, 0) + b"\x00" * 70000, Drop),
    ],
    ids=[
        "runt", "response", "label-cut", "question-cut", "pointer", "name-too-long",
        "two-opts-cut", "additional-pointer-loop", "oversized",
    ],
)  # fmt: skip
def test_malformed_input_raises_a_named_error(wire: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_query(wire)


def test_a_compression_loop_in_an_upstream_answer_is_refused_not_followed() -> None:
    looped = HEADER.pack(1, 0x8180, 1, 1, 0, 0) + b"\x00\x00\x01\x00\x01" + b"\xc0\x11"
    with pytest.raises(ValueError):
        layout(looped + b"\x00")


def _handler() -> Handler:
    class NoDecider:
        def verdict(self, *args: object) -> object:
            raise AssertionError("garbage never reaches the policy")

    return Handler(lambda: NoDecider())  # type: ignore[arg-type,return-value]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_garbage_gets_no_crash(data: bytes) -> None:
    with contextlib.suppress(Drop, BadQuery):
        parse_query(data)
    with contextlib.suppress(ValueError):
        layout(data)


@settings(max_examples=400, deadline=None)
@given(
    qdcount=st.integers(0, 3),
    counts=st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 65535)),
    body=st.binary(max_size=300),
    flags=st.integers(0, 0xFFFF),
)
def test_garbage_with_a_plausible_header_gets_an_error_answer_or_nothing(
    qdcount: int, counts: tuple[int, int, int], body: bytes, flags: int
) -> None:
    wire = HEADER.pack(0xBEEF, flags & ~0x8000, qdcount, *counts) + body
    handler = _handler()
    try:
        parse_query(wire)
        return  # well-formed by chance: the policy path is tested elsewhere
    except Drop:
        assert handler.handle(wire, "127.0.0.1") is None
    except BadQuery as exc:
        result = handler.handle(wire, "127.0.0.1")
        assert isinstance(result, Reply)
        answer = dns.message.from_wire(result.wire)
        assert answer.id == 0xBEEF and answer.rcode() == exc.rcode


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=63), min_size=1, max_size=4), st.integers(1, 65535))
def test_any_question_name_round_trips_into_the_answer(labels: list[bytes], qtype: int) -> None:
    name = b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"
    wire = HEADER.pack(7, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", qtype, 1)
    query = parse_query(wire)
    assert query.question == wire[12:]
    assert len(query.qname) >= len(labels)
