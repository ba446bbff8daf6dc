"""Site exceptions at the resolver: the excepted student's address gets the name, others still
get the block page; a name under an exception domain never shares a decision with other names
of its class; and a remembered verdict ends when the exception does.

At the `Decider` level, with a real snapshot, category index and networks file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from dns_running import LISTED, PACK, STUDENT, build_lists, write_networks

from schoolgate.classify.domains import CategoryIndex
from schoolgate.enforce.dns.builtin import load_builtins
from schoolgate.enforce.dns.networks import load_networks
from schoolgate.enforce.dns.policy import Decider, Outcome, PolicyState
from schoolgate.enforce.dns.wire import TYPE_A
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack

OTHER_STUDENT = "127.0.0.11"
START = dt.datetime(2026, 10, 1, 4, 0, tzinfo=dt.UTC)  # midnight in New York
UNTIL = dt.datetime(2026, 10, 10, 4, 0, tzinfo=dt.UTC)
IN_WINDOW = dt.datetime(2026, 10, 5, 14, 0, tzinfo=dt.UTC).timestamp()


def records() -> dict[str, Any]:
    student = {"roles": ["student"], "groups": []}
    return {
        "users": {"s1": student, "s2": student},
        "addresses": {STUDENT: "s1", OTHER_STUDENT: "s2"},
        "exceptions": [
            {
                "id": "1",
                "domain": "games.test",
                "users": ["s1"],
                "start": START.isoformat(),
                "until": UNTIL.isoformat(),
                "decided_by": "Dana Teacher",
            }
        ],
    }


@pytest.fixture
def decider(tmp_path: Path) -> Decider:
    index = CategoryIndex.open(build_lists(tmp_path, {**LISTED, "othergames.test": "games"}))
    state = PolicyState(
        snapshot=compile_pack(load_pack(PACK).pack, records()),
        categories=lambda n: index.lookup_bytes(n.encode()).categories,
        networks=load_networks(write_networks(tmp_path)),
        builtins=load_builtins(),
    )
    return Decider(state)


def test_the_excepted_students_address_is_answered_and_another_is_blocked(
    decider: Decider,
) -> None:
    mine = decider.verdict(STUDENT, "www.games.test", TYPE_A, IN_WINDOW)
    assert mine.outcome == Outcome.FORWARD and mine.user == "s1"
    assert mine.decision is not None and mine.decision.rules == ("exception:1",)
    assert b'"rule":"exception:1"' in mine.log_tail
    theirs = decider.verdict(OTHER_STUDENT, "www.games.test", TYPE_A, IN_WINDOW)
    assert theirs.outcome == Outcome.BLOCKPAGE and theirs.user == "s2"


@pytest.mark.parametrize("first", ["www.games.test", "www.othergames.test"])
def test_an_exception_domain_does_not_share_its_class_decision(
    decider: Decider, first: str
) -> None:
    """Both names are in `games` for the same student: without keeping exception domains apart,
    whichever is asked first would decide the other."""
    order = [first, *({"www.games.test", "www.othergames.test"} - {first})]
    outcomes = {name: decider.verdict(STUDENT, name, TYPE_A, IN_WINDOW).outcome for name in order}
    assert outcomes == {"www.games.test": Outcome.FORWARD, "www.othergames.test": Outcome.BLOCKPAGE}


def test_a_remembered_verdict_ends_with_the_exception(decider: Decider) -> None:
    before = UNTIL.timestamp() - 5
    found = decider.verdict(STUDENT, "www.games.test", TYPE_A, before)
    assert found.outcome == Outcome.FORWARD and found.expires == UNTIL.timestamp()
    after = decider.verdict(STUDENT, "www.games.test", TYPE_A, UNTIL.timestamp())
    assert after.outcome == Outcome.BLOCKPAGE


def test_before_its_first_day_the_name_stays_blocked(decider: Decider) -> None:
    early = decider.verdict(STUDENT, "www.games.test", TYPE_A, START.timestamp() - 60)
    assert early.outcome == Outcome.BLOCKPAGE and early.expires == START.timestamp()
    assert decider.verdict(STUDENT, "www.games.test", TYPE_A, START.timestamp()).outcome == (
        Outcome.FORWARD
    )
