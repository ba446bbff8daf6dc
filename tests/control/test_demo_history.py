"""The demo's invented queries fall in school hours that have already happened.

`make run` before 8:00 local once put today's share of the fortnight's queries on one moment,
the minute it started: a column of identical times at the top of the event log."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from schoolgate.control.console.demo_history import invent, school_moments

ZONE = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("now", "today_allowed"),
    [
        (dt.datetime(2026, 12, 7, 1, 39, tzinfo=ZONE), False),  # a Monday, before the bell
        (dt.datetime(2026, 12, 9, 10, 0, tzinfo=ZONE), True),  # a Wednesday, mid-morning
        (dt.datetime(2026, 12, 11, 18, 0, tzinfo=ZONE), True),  # a Friday, after school
        (dt.datetime(2026, 12, 13, 12, 0, tzinfo=ZONE), False),  # a Sunday
    ],
)
def test_moments_are_past_school_hours_on_weekdays(now: dt.datetime, today_allowed: bool) -> None:
    moments = school_moments(random.Random(7), now, 14, 3000)
    assert len(moments) == 3000 and moments == sorted(moments)
    assert all(m <= now for m in moments)
    assert all(m.weekday() < 5 and 8 <= m.hour < 15 for m in moments)
    assert min(moments).date() >= (now - dt.timedelta(days=13)).date()
    today = [m for m in moments if m.date() == now.date()]
    assert bool(today) == today_allowed
    # no pile-up on one moment (3,000 draws over ten school days of 25,200 s each)
    assert Counter(moments).most_common(1)[0][1] <= 3


def test_today_gets_its_share_by_the_time_that_has_passed() -> None:
    now = dt.datetime(2026, 12, 9, 9, 0, tzinfo=ZONE)  # one hour into a seven-hour day
    moments = school_moments(random.Random(3), now, 14, 20_000)
    share = sum(m.date() == now.date() for m in moments) / len(moments)
    # nine full school days (two weekends in 14 days) and one hour: 1 / (9 * 7 + 1)
    assert 0.5 / 64 < share < 2 / 64


def test_a_span_of_weekend_days_only_has_no_moments() -> None:
    sunday = dt.datetime(2026, 12, 13, 12, 0, tzinfo=ZONE)
    assert school_moments(random.Random(1), sunday, 2, 10) == []  # Sunday and Saturday


def test_invented_records_and_review_requests_are_in_past_school_hours() -> None:
    from schoolgate.policy.compiler import compile_pack
    from schoolgate.policy.loader import load_pack

    snapshot = compile_pack(load_pack("ces").pack)
    now = dt.datetime(2026, 12, 7, 1, 39, tzinfo=snapshot.timezone)  # Monday, before the bell
    records = invent(snapshot, ["s1", "s2"], ["t1", "t2", "t3"], now=now, queries=300, seed=5)
    assert len([r for r in records if r["kind"] == "dns"]) >= 300
    for record in records:
        lag = 30 if record["kind"] == "review-request" else 0  # asked 30 s after the block
        at = dt.datetime.fromtimestamp(record["time"] - lag, snapshot.timezone)
        assert at <= now, record["kind"]
        assert at.weekday() < 5 and 8 <= at.hour < 15, (record["kind"], at)
    asked = [r for r in records if r["kind"] == "review-request"]
    # users the pack's records do not know: games are blocked for them, chat is not
    assert asked and {r["user"] for r in asked} <= {"t1", "t2", "t3"}
