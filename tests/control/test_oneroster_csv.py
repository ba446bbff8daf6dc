"""The CSV reader on its own: exact headers, positions, encodings — and fuzzed with Hypothesis
so no input raises anything but RosterError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolgate.control.networks.leases import LeaseError, parse_isc, parse_kea
from schoolgate.control.people.oneroster.csvread import read_table
from schoolgate.control.people.oneroster.problems import RosterError
from schoolgate.control.people.oneroster.schema import HEADERS

ORGS = HEADERS["1.2"]["orgs"]
HEAD = ",".join(ORGS)


def test_reads_rows_with_their_line_numbers() -> None:
    data = f'{HEAD}\r\no1,,,"Name, with comma",school,,\r\n\r\no2,,,"Two\nlines",school,,\r\no3,,,Three,district,,\r\n'
    table = read_table("orgs.csv", data.encode(), ORGS)
    assert [(r.line, r.values["sourcedId"]) for r in table.rows] == [
        (2, "o1"),
        (4, "o2"),
        (6, "o3"),
    ]
    assert table.rows[0].values["name"] == "Name, with comma"


def test_extension_columns_are_allowed_after_the_standard_ones() -> None:
    table = read_table(
        "orgs.csv", f"{HEAD},metadata.district.code\no1,,,N,school,,,X\n".encode(), ORGS
    )
    assert table.rows[0].values["metadata.district.code"] == "X"
    with pytest.raises(RosterError, match="unexpected columns after the standard ones: color"):
        read_table("orgs.csv", f"{HEAD},color\n".encode(), ORGS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "orgs.csv: is empty"),
        (b"sourcedId,status\n", "orgs.csv:1: header does not match: missing dateLastModified"),
        (f"{HEAD},name\n".encode(), "columns named twice: name"),
        (b"\xef\xbb\xbf" + HEAD.encode() + b"\nx,,,\xff,school,,\n", "orgs.csv:2: is not UTF-8"),
        (HEAD.encode() + b"\no1,,,N\x00,school,,\n", "orgs.csv:2: contains a NUL"),
    ],
)
def test_refused(data: bytes, message: str) -> None:
    with pytest.raises(RosterError, match=message):
        read_table("orgs.csv", data, ORGS)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_table_or_a_roster_error(data: bytes) -> None:
    try:
        table = read_table("orgs.csv", HEAD.encode() + b"\n" + data, ORGS)
    except RosterError as exc:
        assert exc.problems and all(p.file == "orgs.csv" for p in exc.problems)
    else:
        assert all(len(r.values) == len(ORGS) for r in table.rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=9), max_size=6))
def test_any_text_fields_give_a_table_or_a_roster_error(rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([list(ORGS), *rows])
    try:
        table = read_table("orgs.csv", out.getvalue().encode(), ORGS)
    except RosterError:
        return
    assert len(table.rows) <= len(rows)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_lease_parsers_raise_only_lease_errors(data: bytes) -> None:
    for parse in (parse_isc, parse_kea):
        with contextlib.suppress(LeaseError):
            parse("leases", b"lease 10.0.0.1 {\n" + data)
