"""The spool → event store feed, over spools written by the real SpoolWriter: storing, reading
again after a crash, malformed records, other kinds, and the offset moving only on commit."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import transaction

from schoolgate.control.activity.ingest import Ingester, ingest, spool_identity
from schoolgate.control.activity.models import DailyBlocks, FilterEvent, FilterEventCategory
from schoolgate.control.activity.retention import RetentionError, purge
from schoolgate.control.cli.events import events
from schoolgate.spool import SpoolReader

from .activity_fixtures import dns_record, write_spool
from .conftest import person

pytestmark = pytest.mark.django_db


def committed(spool: Path) -> int:
    return SpoolReader(spool, "activity").committed


def test_records_are_stored_and_the_offset_committed(
    tmp_path: Path, district: None, django_capture_on_commit_callbacks: Any
) -> None:
    student = person("student")
    spool = tmp_path / "spool"
    write_spool(
        spool,
        [
            dns_record(
                "www.games.test", user=student.sourced_id, categories=["games"], action="block"
            ),
            dns_record("learn.test", user="nobody-we-know"),
            dns_record("www.vpn.test", categories=["vpn"], action="block", bypass_kind="rule"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(spool)
    assert (result.read, result.stored, result.malformed, result.ignored) == (3, 3, 0, 0)
    assert committed(spool) == 3
    games, learn, vpn = FilterEvent.objects.order_by("seq")
    assert games.person == student and games.user_id == student.sourced_id
    assert games.categories == ",games," and games.blocked and games.action == "block"
    assert learn.person is None and learn.user_id == "nobody-we-know" and not learn.blocked
    assert vpn.bypass and vpn.bypass_kind == "rule" and vpn.person is None
    assert {e.spool for e in (games, learn, vpn)} == {spool_identity(spool)}


def test_a_reread_after_a_crash_stores_nothing_twice(
    tmp_path: Path, db: None, django_capture_on_commit_callbacks: Any
) -> None:
    spool = tmp_path / "spool"
    blocked = {"categories": ["games", "chat"], "action": "block"}
    write_spool(spool, [dns_record(f"n{i}.test", **blocked) for i in range(25)])  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=False):
        # the rows are written, then the process dies before the offset is committed
        first = Ingester(spool, batch=10).run()
    assert first.stored == 25 and committed(spool) == 0
    write_spool(spool, [dns_record("late.test")])
    with django_capture_on_commit_callbacks(execute=True):
        again = Ingester(spool, batch=10).run()
    assert (again.read, again.stored, again.duplicates) == (26, 1, 25)
    assert FilterEvent.objects.count() == 26 and committed(spool) == 26
    # the category rows and the daily counts were not doubled by the re-read either
    assert FilterEventCategory.objects.count() == 50
    for whom in (DailyBlocks.NOBODY, DailyBlocks.EVERYONE):
        counts = dict(DailyBlocks.objects.filter(person_id=whom).values_list("category", "count"))
        assert counts == {"": 25, "games": 25, "chat": 25}


def test_malformed_records_are_skipped_counted_and_named(
    tmp_path: Path, db: None, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    spool = tmp_path / "spool"
    write_spool(
        spool,
        [
            dns_record("ok.test"),
            b"this is not json",
            {"kind": "dns", "time": "soon", "name": "bad-time.test", "action": "allow"},
            {"kind": "dns", "time": time.time(), "action": "allow"},
            dns_record("ok2.test"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(spool)
    assert (result.stored, result.malformed, result.malformed_seqs) == (2, 3, [1, 2, 3])
    assert committed(spool) == 5
    assert "spool seq 2: malformed record skipped" in caplog.text


def test_review_requests_are_left_to_their_own_reader(
    tmp_path: Path, db: None, django_capture_on_commit_callbacks: Any
) -> None:
    spool = tmp_path / "spool"
    review = {"kind": "review-request", "time": time.time(), "client": "10.0.0.1", "name": "x.test"}
    write_spool(spool, [review, dns_record("a.test")])
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(spool)
    assert (result.ignored, result.stored) == (1, 1)
    assert SpoolReader(spool, "reviews").committed == 0  # another reader's offset is untouched


def test_an_uncommitted_transaction_does_not_move_the_offset(
    tmp_path: Path, db: None, django_capture_on_commit_callbacks: Any
) -> None:
    spool = tmp_path / "spool"
    write_spool(spool, [dns_record(f"n{i}.test") for i in range(5)])
    ingester = Ingester(spool)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert ingester.run().stored == 5
        raise RuntimeError("the database went away before the commit")
    assert FilterEvent.objects.count() == 0 and committed(spool) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert ingester.run().stored == 5
    assert committed(spool) == 5


def test_a_failing_batch_rereads_from_the_committed_offset(
    tmp_path: Path, db: None, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    spool = tmp_path / "spool"
    write_spool(spool, [dns_record(f"n{i}.test") for i in range(4)])
    ingester = Ingester(spool, batch=2)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("schoolgate.control.activity.ingest.store_events", broken)
    with pytest.raises(RuntimeError):
        ingester.run()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert ingester.run().stored == 4


def test_a_new_spool_in_the_same_place_is_a_new_identity(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    first = spool_identity(spool)
    assert spool_identity(spool) == first and len(first) == 32
    (spool / "readers" / "spool-id").unlink()
    assert spool_identity(spool) != first


def _event(days_ago: float, seq: int) -> FilterEvent:
    return FilterEvent(
        time=dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago),
        kind="dns",
        domain="x.test",
        action="allow",
        spool="s",
        seq=seq,
    )


def test_purge_honours_the_retention_setting(db: None, settings: Any) -> None:
    settings.SCHOOLGATE_EVENT_RETENTION_DAYS = "30"
    FilterEvent.objects.bulk_create([_event(d, i) for i, d in enumerate([1, 29, 31, 400])])
    with pytest.raises(RetentionError):
        purge(7)
    assert purge() == 2
    assert FilterEvent.objects.count() == 2
    assert purge(60) == 0


def test_the_commands_ingest_and_purge(tmp_path: Path, db: None, settings: Any) -> None:
    spool = tmp_path / "spool"
    write_spool(spool, [dns_record("a.test"), b"{broken"])
    runner = CliRunner()
    out = runner.invoke(events, ["ingest", "--spool", str(spool)], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "stored 1" in out.output and "malformed 1" in out.output
    assert "malformed records at spool seq 1" in out.output
    settings.SCHOOLGATE_EVENT_RETENTION_DAYS = "10"
    out = runner.invoke(events, ["purge", "--older-than", "3"])
    assert out.exit_code == 1 and "retention period" in out.output
    out = runner.invoke(events, ["purge"], catch_exceptions=False)
    assert out.exit_code == 0 and "deleted 0 events older than 10 days" in out.output
    missing = runner.invoke(events, ["ingest", "--spool", str(tmp_path / "nope")])
    assert missing.exit_code == 1


def test_follow_stops_when_asked(tmp_path: Path, transactional_db: None) -> None:
    import threading

    from schoolgate.control.activity import follow

    spool = tmp_path / "spool"
    write_spool(spool, [dns_record("a.test"), dns_record("b.test")])
    stop = threading.Event()
    thread = threading.Thread(target=follow, args=(spool, stop, 0.05))
    thread.start()
    deadline = time.monotonic() + 30
    while committed(spool) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    assert sorted(FilterEvent.objects.values_list("domain", flat=True)) == ["a.test", "b.test"]
    assert committed(spool) == 2
    assert json.loads((spool / "readers" / "activity.offset").read_text()) == {"next": 2}
