"""The pure parts of the event store: record → row, CSV cells, the chart, page cursors."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from schoolgate.control.activity.chart import OTHER, PALETTE, build, last_days, svg
from schoolgate.control.activity.csvsafe import safe_cell, safe_row
from schoolgate.control.activity.mapping import Malformed, encode_categories, map_record

from .activity_fixtures import dns_record

NOW = time.time()


def record(**changes: object) -> dict[str, object]:
    data = json.loads(dns_record("www.games.test", user="s1", categories=["games"], action="block"))
    data.update(changes)
    return data


def test_a_resolver_record_maps_every_field() -> None:
    raw = dns_record(
        "www.proxy.test",
        user="s-42",
        categories=["redirector", "filter-bypass"],
        action="block",
        rule="web-filter-bypass",
        clause="ces/internet-safety/filtering-and-monitoring#2",
        bypass_kind="rule",
        at=1_790_000_000.25,
    )
    row = map_record(json.loads(raw), NOW)
    assert row is not None
    assert row.time == dt.datetime.fromtimestamp(1_790_000_000.25, dt.UTC)
    assert (row.kind, row.client, row.user_id, row.domain) == (
        "dns",
        "10.1.2.3",
        "s-42",
        "www.proxy.test",
    )
    assert row.categories == ("filter-bypass", "redirector")
    assert (row.action, row.blocked, row.rule) == ("block", True, "web-filter-bypass")
    assert row.clause == "ces/internet-safety/filtering-and-monitoring#2"
    assert row.revision == "ab" * 32
    assert (row.bypass, row.bypass_kind, row.answer, row.record_type) == (
        True,
        "rule",
        "blockpage",
        "A",
    )


def test_unknown_categories_and_no_user_are_kept_as_unknown() -> None:
    row = map_record(record(categories=None, user=None, action="allow"), NOW)
    assert row is not None
    assert row.categories is None and row.user_id == "" and not row.blocked
    assert encode_categories(row.categories) == ""


@pytest.mark.parametrize("action", ["hold", "require-acknowledgment", "block"])
def test_every_blocking_action_counts_as_blocked(action: str) -> None:
    row = map_record(record(action=action), NOW)
    assert row is not None and row.blocked


def test_other_kinds_are_not_stored() -> None:
    assert map_record({"kind": "review-request", "time": NOW, "name": "x.test"}, NOW) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"time": "yesterday"},
        {"time": True},
        {"time": float("nan")},
        {"time": 12.0},
        {"time": NOW + 10 * 86400},
        {"name": None},
        {"name": ""},
        {"name": 42},
        {"action": "explode"},
        {"categories": "games"},
        {"categories": ["a,b"]},
        {"bypass": "yes"},
        {"user": ["s1"]},
        {"kind": None},
    ],
)
def test_malformed_records_say_which_field(changes: dict[str, object]) -> None:
    with pytest.raises(Malformed):
        map_record(record(**changes), NOW)


def test_undecodable_payloads_are_malformed() -> None:
    with pytest.raises(Malformed):
        map_record({"_undecodable": "ff00"}, NOW)
    with pytest.raises(Malformed):
        map_record({"_value": [1, 2]}, NOW)


def test_long_values_are_cut_to_their_columns() -> None:
    row = map_record(record(rule="r" * 500, client="c" * 100), NOW)
    assert row is not None and len(row.rule) == 120 and len(row.client) == 45


def test_categories_are_encoded_for_a_substring_match() -> None:
    assert encode_categories(["games", "adult", "games"]) == ",adult,games,"
    assert encode_categories([]) == "" and encode_categories(None) == ""


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_cells_are_neutralised(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


def test_plain_cells_are_left_alone() -> None:
    assert safe_row(["games.test", 3, None, "a=b"]) == ["games.test", "3", "", "a=b"]


def test_the_chart_names_the_top_categories_and_groups_the_rest() -> None:
    days = last_days(dt.date(2026, 10, 14), 14)
    assert days[0] == dt.date(2026, 10, 1) and len(days) == 14
    per = {f"c{i}": {days[0]: 10 + i} for i in range(10)}
    chart = build(days, per, {days[0]: 50})
    names = [s.category for s in chart.series]
    assert names[:3] == ["c9", "c8", "c7"] and names[-1] == OTHER and len(names) == len(PALETTE)
    assert chart.series[-1].counts[0] == 10 + 11 + 12
    assert chart.rows()[0][2] == 50 and not chart.empty


def test_the_svg_escapes_category_names() -> None:
    days = last_days(dt.date(2026, 10, 14), 2)
    chart = build(days, {"<script>": {days[1]: 3}}, {days[1]: 3})
    markup = svg(chart)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert markup.startswith("<svg") and 'role="img"' in markup


def test_cursor_round_trips_and_refuses_junk() -> None:
    from schoolgate.control.activity.search import Cursor

    moment = dt.datetime(2026, 10, 5, 14, 0, 0, 123456, tzinfo=dt.UTC)
    assert Cursor.decode(Cursor(moment, 77).encode()) == Cursor(moment, 77)
    for junk in ["", "x.1", "1.", "-5.3", "9" * 30 + ".1"]:
        assert Cursor.decode(junk) is None
