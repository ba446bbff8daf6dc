"""The compiled index: parent matching, exceptions, the file, and agreement with a plain model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import dns.name
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolgate.classify.domains import NO_MATCH, CategoryIndex, IndexFormatError, Match
from schoolgate.classify.domains.build import IndexBuilder, build_index
from schoolgate.lists.model import Action, Entry, Scope

B, A = Action.BLOCK, Action.ALLOW
SUB, EXACT, BELOW = Scope.SUBTREE, Scope.EXACT, Scope.SUBDOMAINS

ENTRIES = [
    Entry("example.com", "adult"),
    Entry("ads.example.com", "ads"),
    Entry("ok.example.com", "school_ok", A),
    Entry("bad.ok.example.com", "malware"),
    Entry("exact.test", "ads", B, EXACT),
    Entry("wild.test", "vpn", B, BELOW),
    Entry("both.test", "chat", B, EXACT),
    Entry("both.test", "chat", B, BELOW),
    Entry("allowed-exactly.example.com", "fix", A, EXACT),
    Entry("games.test", "games"),
    Entry("learn.games.test", "educational_games", A),
    Entry("same.test", "games"),
    Entry("same.test", "educational_games", A),
    Entry("xn--bcher-kva.de", "shopping"),
    Entry("tld", "weird"),
    Entry("example.com", "adult"),  # duplicate
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> CategoryIndex:
    path = tmp_path_factory.mktemp("idx") / "t.sgidx"
    build_index(ENTRIES, path, aliases={"porn": "adult"}, sources=["test"])
    return CategoryIndex.open(path)


def m(
    cats: Sequence[str] = (),
    allowed: Sequence[str] = (),
    over: Sequence[str] = (),
    suffix: str = "",
) -> Match:
    return Match(frozenset(cats), frozenset(allowed), frozenset(over), suffix)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("example.com", m(["adult"], suffix="example.com")),
        ("a.b.example.com", m(["adult"], suffix="example.com")),
        ("EXAMPLE.COM.", m(["adult"], suffix="example.com")),
        ("ads.example.com", m(["adult", "ads"], suffix="ads.example.com")),
        ("x.ads.example.com", m(["adult", "ads"], suffix="ads.example.com")),
        ("notexample.com", NO_MATCH),
        ("com", NO_MATCH),
        # The exception beats the less specific block, for the name and everything under it…
        ("ok.example.com", m([], ["school_ok"], ["adult"], "ok.example.com")),
        ("z.ok.example.com", m([], ["school_ok"], ["adult"], "ok.example.com")),
        # …unless a more specific block exists below it.
        ("bad.ok.example.com", m(["malware"], ["school_ok"], ["adult"], "bad.ok.example.com")),
        ("q.bad.ok.example.com", m(["malware"], ["school_ok"], ["adult"], "bad.ok.example.com")),
        # An exact exception covers only its own name.
        ("allowed-exactly.example.com", m([], ["fix"], ["adult"], "allowed-exactly.example.com")),
        ("a.allowed-exactly.example.com", m(["adult"], suffix="example.com")),
        ("exact.test", m(["ads"], suffix="exact.test")),
        ("a.exact.test", NO_MATCH),
        ("wild.test", NO_MATCH),
        ("a.wild.test", m(["vpn"], suffix="wild.test")),
        ("a.b.wild.test", m(["vpn"], suffix="wild.test")),
        ("both.test", m(["chat"], suffix="both.test")),
        ("a.both.test", m(["chat"], suffix="both.test")),
        ("learn.games.test", m([], ["educational_games"], ["games"], "learn.games.test")),
        ("x.games.test", m(["games"], suffix="games.test")),
        # Block and exception on the same name: the exception wins at equal specificity.
        ("same.test", m([], ["educational_games"], ["games"], "same.test")),
        ("www.same.test", m([], ["educational_games"], ["games"], "same.test")),
        ("bücher.de", m(["shopping"], suffix="xn--bcher-kva.de")),
        ("www.xn--bcher-kva.de", m(["shopping"], suffix="xn--bcher-kva.de")),
        ("anything.tld", m(["weird"], suffix="tld")),
        ("", NO_MATCH),
        (".", NO_MATCH),
        ("a..example.com", m(["adult"], suffix="example.com")),
    ],
)
def test_lookup(index: CategoryIndex, name: str, expected: Match) -> None:
    assert index.lookup(name) == expected


def test_match_helpers(index: CategoryIndex) -> None:
    assert index.lookup("example.com").blocked
    assert index.lookup("ok.example.com").listed and not index.lookup("ok.example.com").blocked
    assert not NO_MATCH.listed


def test_wire_and_bytes_lookups(index: CategoryIndex) -> None:
    for text in ("WWW.Ads.Example.com.", "a.wild.test", "nothing.invalid"):
        wire = index.lookup_wire(dns.name.from_text(text).labels)
        assert wire == index.lookup(text)
        raw = text.lower().rstrip(".").encode()
        assert index.lookup_bytes(raw) == wire


def test_bad_unicode_query_is_a_value_error(index: CategoryIndex) -> None:
    with pytest.raises(ValueError, match="not a valid domain name"):
        index.lookup("bad\ufffe.com")


def test_header_information(index: CategoryIndex) -> None:
    assert len(index) == 13
    assert len(index.revision) == 64
    assert index.canonical_category("porn") == "adult"
    assert index.canonical_category("games") == "games"
    stats = index.stats()
    assert stats["categories"]["adult"] == {"block": 1, "allow": 0}
    assert stats["categories"]["games"] == {"block": 2, "allow": 0}
    assert stats["categories"]["educational_games"] == {"block": 0, "allow": 2}
    assert stats["categories"]["chat"] == {"block": 1, "allow": 0}
    assert stats["sources"] == ["test"]


def test_build_summary_counts_duplicates(tmp_path: Path) -> None:
    summary = build_index(ENTRIES, tmp_path / "x.sgidx")
    assert (summary.entries, summary.names, summary.duplicates) == (16, 13, 1)
    assert summary.size == (tmp_path / "x.sgidx").stat().st_size


def test_same_salt_same_file(tmp_path: Path) -> None:
    a = build_index(ENTRIES, tmp_path / "a.sgidx", salt=b"s" * 16)
    b = build_index(reversed(ENTRIES), tmp_path / "b.sgidx", salt=b"s" * 16)
    assert CategoryIndex.open(a.path).lookup("x.ads.example.com") == CategoryIndex.open(
        b.path
    ).lookup("x.ads.example.com")
    c = build_index(ENTRIES, tmp_path / "c.sgidx")
    assert c.revision != a.revision  # a fresh random salt per build


def test_empty_index(tmp_path: Path) -> None:
    path = tmp_path / "empty.sgidx"
    build_index([], path)
    with CategoryIndex.open(path) as index:
        assert len(index) == 0
        assert index.lookup("example.com") == NO_MATCH


@pytest.mark.parametrize("where", ["header", "data", "end"])
def test_damage_is_detected(tmp_path: Path, where: str) -> None:
    path = tmp_path / "d.sgidx"
    build_index(ENTRIES, path)
    data = bytearray(path.read_bytes())
    position = {"header": 60, "data": len(data) // 2, "end": len(data) - 1}[where]
    data[position] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(IndexFormatError, match="checksum mismatch"):
        CategoryIndex.open(path)


def test_truncation_and_garbage_are_detected(tmp_path: Path) -> None:
    path = tmp_path / "t.sgidx"
    build_index(ENTRIES, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 8])
    with pytest.raises(IndexFormatError):
        CategoryIndex.open(path)
    with pytest.raises(IndexFormatError, match="truncated"):
        CategoryIndex.open(path, verify=False)
    path.write_bytes(b"")
    with pytest.raises(IndexFormatError, match="empty"):
        CategoryIndex.open(path)
    path.write_bytes(b"x" * 100)
    with pytest.raises(IndexFormatError, match="magic"):
        CategoryIndex.open(path)


def test_failed_build_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.sgidx"
    build_index(ENTRIES, path)
    before = path.read_bytes()

    def broken() -> list[Entry]:
        raise RuntimeError("source went away")

    builder = IndexBuilder()
    builder.add(Entry("x.example", "c"))
    with pytest.raises(TypeError):
        builder.write(path, aliases={"a": "b"}, meta={"bad": object()})  # not JSON
    with pytest.raises(RuntimeError):
        build_index(broken(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.sgidx"]  # no temporary left behind


# -- agreement with a direct model of the rules ---------------------------------------------


def reference(entries: Sequence[Entry], query: str) -> tuple[frozenset[str], frozenset[str]]:
    """The documented rule, computed the slow, obvious way: (blocks, exception categories)."""
    labels = query.split(".")
    matches: list[tuple[int, Entry]] = []
    for depth in range(1, len(labels) + 1):
        suffix = ".".join(labels[-depth:])
        is_name = depth == len(labels)
        for entry in entries:
            if entry.name != suffix:
                continue
            if (
                entry.scope is SUB
                or (entry.scope is EXACT and is_name)
                or (entry.scope is BELOW and not is_name)
            ):
                matches.append((depth, entry))
    allow_depths = [d for d, e in matches if e.action is A]
    cut = max(allow_depths, default=0)
    blocks = frozenset(e.category for d, e in matches if e.action is B and d > cut)
    allowed = frozenset(e.category for d, e in matches if e.action is A and d == cut)
    return blocks, allowed


LABELS = st.sampled_from(["a", "b", "c"])
NAMES = st.lists(LABELS, min_size=1, max_size=4).map(".".join)
ENTRY = st.builds(
    Entry,
    name=NAMES,
    category=st.sampled_from(["c1", "c2", "c3", "ok1", "ok2"]),
    action=st.sampled_from([B, B, A]),
    scope=st.sampled_from([SUB, EXACT, BELOW]),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(ENTRY, max_size=30), extra=st.lists(NAMES, max_size=10))
def test_agrees_with_reference(tmp_path: Path, entries: list[Entry], extra: list[str]) -> None:
    path = tmp_path / f"ref-{os.getpid()}.sgidx"
    build_index(entries, path)
    queries = [*extra, *(e.name for e in entries), *(f"b.{e.name}" for e in entries)]
    with CategoryIndex.open(path) as index:
        for query in queries:
            got = index.lookup(query)
            assert (got.categories, got.allowed_by) == reference(entries, query), query
