"""The shipped packs: valid, every clause served, every case passing, nothing dropped or reworded."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolgate.engine import decide, event_from_dict
from schoolgate.engine.snapshot import Snapshot
from schoolgate.engine.vocabulary import CHANNELS
from schoolgate.policy.cases import run_cases
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.coverage import coverage, totals
from schoolgate.policy.loader import LoadedPack, load_pack

PACKS = ["ces", "crec", "cipa-baseline"]
GOLDEN = Path(__file__).parent / "golden"
SOURCES = {"ces": "000_2ac1e49b9f41cfea.txt", "crec": "001_683bc6b89f34429d.txt"}
MIN_CASES = {"ces": 30, "crec": 30, "cipa-baseline": 30}

_loaded: dict[str, LoadedPack] = {}


def loaded(name: str) -> LoadedPack:
    if name not in _loaded:
        _loaded[name] = load_pack(name)
    return _loaded[name]


@pytest.mark.parametrize("name", PACKS)
def test_pack_is_valid_and_fully_served(name: str) -> None:
    rows = coverage(loaded(name).pack)
    sums = totals(rows)
    assert sums["served"] == sums["clauses"], [r.id for r in rows if not r.ok]
    assert loaded(name).tolerated == ()


@pytest.mark.parametrize("name", PACKS)
def test_no_clause_dropped_or_added_unnoticed(name: str) -> None:
    golden = (GOLDEN / f"{name}.clauses.txt").read_text().split()
    ids = [c.id for c in loaded(name).pack.clauses]
    assert sorted(ids) == sorted(golden), (
        f"clauses differ from tests/policy/golden/{name}.clauses.txt: "
        f"missing {sorted(set(golden) - set(ids))}, new {sorted(set(ids) - set(golden))}"
    )


@pytest.mark.parametrize("name", PACKS)
def test_every_case_passes(name: str) -> None:
    pack = loaded(name).pack
    assert len(pack.cases) >= MIN_CASES[name]
    results = run_cases(compile_pack(pack), pack)
    failures = {r.case.id: r.failures for r in results if not r.passed}
    assert not failures


@pytest.mark.parametrize("name", PACKS)
def test_cases_exercise_every_channel_and_rule(name: str) -> None:
    pack = loaded(name).pack
    snapshot = compile_pack(pack)
    channels = {c.event["channel"] for c in pack.cases}
    assert channels == set(CHANNELS)
    fired = {r for result in run_cases(snapshot, pack) for r in result.decision.rules}
    unexercised = {r.id for r in pack.rules} - fired
    assert not unexercised, f"rules no case exercises: {sorted(unexercised)}"


def _normal(text: str) -> str:
    text = text.replace("\u00a0", " ")
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_clause_words_are_the_boards_own(name: str, shared_dir: Path) -> None:
    source = _normal((shared_dir / "policies" / SOURCES[name]).read_text(encoding="utf-8"))
    flat = source.replace("- ", "-")  # words split across PDF lines ("anti- virus")
    for clause in loaded(name).pack.clauses:
        words = _normal(clause.text)
        assert words in source or words.replace("- ", "-") in flat, (
            f"{clause.id} is not quoted verbatim"
        )


def _prose_left(text: str, window: int = 12, lowercase: int = 9) -> list[str]:
    """Runs of `window` words, `lowercase` of them lower-case: sentences, not headings."""
    words = text.split()
    found = []
    i = 0
    while i + window <= len(words):
        run = words[i : i + window]
        if sum(w[:1].islower() for w in run) >= lowercase:
            found.append(" ".join(run))
            i += window
        else:
            i += 1
    return found


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_sentence_of_the_source_is_in_a_clause(name: str, shared_dir: Path) -> None:
    """What is left of the document once every clause is cut out is headings and references."""
    pack = loaded(name).pack
    rest = _normal((shared_dir / "policies" / SOURCES[name]).read_text(encoding="utf-8"))
    for clause in sorted(pack.clauses, key=lambda c: -len(c.text)):
        words = _normal(clause.text)
        rest = rest.replace(words, " ")
        if "-" in words:  # a word the PDF split across lines ("anti- virus"), quoted repaired
            rest = rest.replace("- ", "-").replace(words, " ")
    for reference in pack.metadata.legal_references:
        rest = rest.replace(_normal(reference), " ")
    left = _prose_left(rest)
    assert not left, f"passages of the policy in no clause: {left[:3]}"


@pytest.fixture(scope="module")
def snapshots() -> dict[str, Snapshot]:
    return {name: compile_pack(loaded(name).pack) for name in PACKS}


roles = st.lists(
    st.sampled_from(["student", "staff", "teacher", "principal", "guardian", "hr", "x"]), max_size=3
)
categories = st.none() | st.lists(
    st.sampled_from(
        [
            "adult",
            "games",
            "chat",
            "shopping",
            "vpn",
            "doh",
            "redirector",
            "malware",
            "webmail",
            "press",
            "schoolgate-bypass",
        ]
    ),
    max_size=3,
)
times = st.none() | st.sampled_from(
    ["2026-10-05T10:00:00-04:00", "2026-10-05T22:00:00-04:00", "2026-10-10T11:00:00-04:00"]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(PACKS), roles, categories, times, st.booleans(), st.booleans())
def test_every_decision_cites_a_clause(
    snapshots: dict[str, Snapshot], name: str, who: list[str], cats: list[str] | None,
    when: str | None, signed: bool, sanctioned: bool,
) -> None:  # fmt: skip
    subject: dict[str, object] = {"roles": who, "acknowledged": signed}
    if sanctioned:
        subject["sanctions"] = [{"scope": "network", "reason": "test"}]
    event = {
        "channel": "web",
        "subject": subject,
        "web": {"domain": "a.example", "categories": cats},
    }
    if when:
        event["time"] = when
    decision = decide(snapshots[name], event_from_dict(event))
    assert decision.clauses
    for clause in decision.clauses:
        assert clause.text
