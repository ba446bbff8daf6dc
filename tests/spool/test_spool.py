"""The spool: records survive, damage is cut off, the budget holds, readers resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from schoolgate.spool import FsyncPolicy, SpoolError, SpoolReader, SpoolWriter
from schoolgate.spool.reader import pending
from schoolgate.spool.records import HEADER_SIZE, segments


def test_records_come_back_in_order_with_their_sequence_numbers(tmp_path: Path) -> None:
    with SpoolWriter(tmp_path) as writer:
        seqs = [writer.append({"i": i}) for i in range(100)]
        writer.append_many([b'{"i":100}', b'{"i":101}'])
    entries = SpoolReader(tmp_path).read(1000)
    assert seqs == list(range(100))
    assert [e.seq for e in entries] == list(range(102))
    assert [e.record["i"] for e in entries] == list(range(102))


def test_a_reader_resumes_from_its_committed_offset(tmp_path: Path) -> None:
    with SpoolWriter(tmp_path) as writer:
        for i in range(10):
            writer.append({"i": i})
        reader = SpoolReader(tmp_path, "shipper")
        assert [e.seq for e in reader.read(4)] == [0, 1, 2, 3]
        reader.commit()
        reader.read(3)  # read but not committed: read again after a restart
        writer.append({"i": 10})
    again = SpoolReader(tmp_path, "shipper")
    assert again.committed == 4
    assert [e.seq for e in again.read()] == list(range(4, 11))
    assert pending(tmp_path, "shipper") == 7
    assert SpoolReader(tmp_path, "other").read(1)[0].seq == 0  # readers are independent


def test_a_torn_tail_is_cut_off_and_numbering_continues(tmp_path: Path) -> None:
    with SpoolWriter(tmp_path) as writer:
        for i in range(5):
            writer.append({"i": i})
    ((_, path),) = segments(tmp_path)
    with path.open("ab") as handle:
        handle.write(b"SG\x01\xff\xff")  # half a header, as a power cut leaves it
    with SpoolWriter(tmp_path) as writer:
        assert writer.append({"i": 5}) == 5
    assert [e.record["i"] for e in SpoolReader(tmp_path).read()] == [0, 1, 2, 3, 4, 5]


def test_a_damaged_record_in_a_closed_segment_is_skipped_and_counted(tmp_path: Path) -> None:
    with SpoolWriter(tmp_path, segment_bytes=4096, max_bytes=1 << 20) as writer:
        for i in range(200):
            writer.append({"i": i, "pad": "x" * 40})
    _, path = segments(tmp_path)[0]
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE * 3 + 200] ^= 0xFF  # flip a byte inside an early record
    path.write_bytes(bytes(data))
    reader = SpoolReader(tmp_path)
    seqs = [e.seq for e in reader.read(1000)]
    assert seqs[-1] == 199 and len(seqs) < 200
    assert reader.lost == 200 - len(seqs)


def test_the_disk_budget_drops_the_oldest_segments_and_counts_them(tmp_path: Path) -> None:
    with SpoolWriter(tmp_path, segment_bytes=4096, max_bytes=16384) as writer:
        for i in range(2000):
            writer.append({"i": i, "pad": "x" * 60})
        dropped = writer.dropped["records"]
    total = sum(p.stat().st_size for _, p in segments(tmp_path))
    assert total <= 16384 + 4096
    assert dropped > 0
    reader = SpoolReader(tmp_path)
    entries = reader.read(10_000)
    assert reader.lost == dropped == entries[0].seq
    assert entries[-1].seq == 1999


def test_only_one_writer_at_a_time(tmp_path: Path) -> None:
    with SpoolWriter(tmp_path), pytest.raises(SpoolError, match="in use by another writer"):
        SpoolWriter(tmp_path)


def test_a_failed_write_is_counted_and_leaves_no_torn_record(tmp_path: Path) -> None:
    writer = SpoolWriter(tmp_path, fsync=FsyncPolicy.NEVER)
    writer.append({"i": 0})
    real = writer._fd
    writer._fd = os.open(os.devnull, os.O_RDONLY)  # writes now fail, as on a full disk
    assert writer.append({"i": 1}) == -1
    os.close(writer._fd)
    writer._fd = real
    assert writer.write_errors == 1
    assert writer.append({"i": 2}) == 1
    writer.close()
    assert [e.record["i"] for e in SpoolReader(tmp_path).read()] == [0, 2]


@pytest.mark.parametrize("policy", ["never", "interval"])
def test_kill_9_loses_nothing_that_was_acknowledged(tmp_path: Path, policy: str) -> None:
    """A writer killed with SIGKILL mid-stream: every record it reported written is there."""
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "spool_child.py"), str(tmp_path), policy],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acknowledged = -1
    for line in child.stdout:
        acknowledged = int(line)
        if acknowledged >= 3000:  # several segments in (64 KiB each)
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    for line in child.stdout:  # anything it managed to acknowledge before dying counts too
        acknowledged = max(acknowledged, int(line))
    entries = SpoolReader(tmp_path).read(1_000_000)
    assert len(segments(tmp_path)) > 3
    assert [e.seq for e in entries][: acknowledged + 1] == list(range(acknowledged + 1))
    assert all(e.record["i"] == e.seq for e in entries)
    with SpoolWriter(tmp_path) as writer:  # and the spool opens again for the next run
        assert writer.next_seq == entries[-1].seq + 1
