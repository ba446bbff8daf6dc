"""Any text at all: the parsers never crash, never hang, and emit only normalised names."""

from __future__ import annotations

import io
import os
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolgate.lists import adblock, hosts, plain, rpz, ut1
from schoolgate.lists.lines import decode_lines, text_lines
from schoolgate.lists.model import Action, Entry, ImportReport
from schoolgate.lists.names import normalise_name

Parser = Callable[..., Iterator[Entry]]

# Pieces of real syntax mixed with arbitrary text, so the fuzzer reaches deep branches.
TOKENS = st.sampled_from(
    [
        "||",
        "@@",
        "|",
        "^",
        "$",
        "$important",
        "##",
        "#@#",
        "#",
        "!",
        "*.",
        "*",
        "/",
        ":",
        ".",
        "..",
        "0.0.0.0",  # noqa: S104 - list text, not a bind
        "::1",
        "127.0.0.1",
        "10.0.0.1",
        " ",
        "\t",
        "(",
        ")",
        ";",
        '"',
        "\\",
        "CNAME",
        "IN",
        "A",
        "SOA",
        "$ORIGIN",
        "$TTL",
        "rpz-passthru.",
        "rpz-ip",
        "@",
        "example.com",
        "xn--",
        "xn--bcher-kva",
        "bücher",
        "ß",
        "ＥＸ",
        "。",
        "_",
        "-",
        "a" * 70,
        "localhost",
        "\u200d",
        "\ufffe",
        "3600",
    ]
)
LINE = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(TOKENS, st.text(max_size=6)), max_size=12).map("".join),
)
TEXT = st.lists(LINE, max_size=30).map("\n".join)
PARSERS: list[Parser] = [plain.parse_plain, hosts.parse_hosts, adblock.parse_adblock, rpz.parse_rpz]


def check(parser: Parser, text: str) -> None:
    report = ImportReport()
    started = time.perf_counter()
    entries = list(parser(text_lines(text), source="fuzz", category="c", report=report))
    assert time.perf_counter() - started < 1.0
    for entry in entries:
        assert normalise_name(entry.name) == entry.name
    for problem in report.problems:
        assert problem.source == "fuzz" and problem.line >= 0
    assert report.entry_count == len(entries)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_plain_fuzz(text: str) -> None:
    check(plain.parse_plain, text)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_hosts_fuzz(text: str) -> None:
    check(hosts.parse_hosts, text)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_adblock_fuzz(text: str) -> None:
    check(adblock.parse_adblock, text)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_rpz_fuzz(text: str) -> None:
    check(rpz.parse_rpz, text)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=400))
def test_decoding_any_bytes(data: bytes) -> None:
    report = ImportReport()
    lines = list(decode_lines(data.splitlines(keepends=True), "bin", report))
    assert report.lines == len(data.splitlines(keepends=True))
    assert len(lines) + report.bad_lines == report.lines
    for parser in PARSERS:
        list(parser(lines, source="bin", category="c", report=ImportReport()))


@settings(max_examples=60, deadline=None)
@given(usage=st.text(max_size=200))
def test_usage_files_fuzz(usage: str) -> None:
    category = ut1.parse_usage(usage)
    assert category.action({}, white_as_allow=True) in (Action.BLOCK, Action.ALLOW)
    assert isinstance(ut1.parse_global_usage(usage), dict)


MEMBER = st.tuples(
    st.lists(
        st.sampled_from(
            ["blacklists", "adult", "..", ".", "usage", "domains", "domains.1", "x y", "urls"]
        ),
        min_size=1,
        max_size=4,
    ).map("/".join),
    st.sampled_from(["file", "dir", "link"]),
    TEXT,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(members=st.lists(MEMBER, max_size=8), cut=st.integers(min_value=0, max_value=2000))
def test_ut1_tarball_fuzz(tmp_path: Path, members: list[tuple[str, str, str]], cut: int) -> None:
    """Odd member names, links anywhere, and truncation: a clean error or a report, no crash."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, kind, text in members:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "link":
                info.type = tarfile.SYMTYPE
                info.linkname = text[:50]
                tar.addfile(info)
            else:
                data = text.encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    path = tmp_path / f"fuzz-{os.getpid()}.tar.gz"
    path.write_bytes(data[: len(data) - cut] if cut < len(data) else data)
    report = ImportReport()
    try:
        entries = list(ut1.read_ut1(path, report))
    except ut1.UT1Error:
        return
    for entry in entries:
        assert normalise_name(entry.name) == entry.name
