"""Site exceptions in the engine: an explicit allow of priority 0 for the people the records
name, in force only in its window, for the domain and its subdomains — never above a sanction,
never over a bypass or safety rule. Decided against the shipped C.E.S. pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schoolgate.engine import decide, event_from_dict
from schoolgate.engine.snapshot import Snapshot, SnapshotError
from schoolgate.policy.compiler import compile_pack, snapshot_data
from schoolgate.policy.loader import load_pack

CES = load_pack("ces").pack
MINIMAL = Path(__file__).parents[1] / "policy" / "fixtures" / "good" / "minimal.yaml"

SCHOOL_DAY = "2026-10-05T10:00:00-04:00"  # a Monday, inside the exception's window
EXCEPTION = {
    "id": "7",
    "domain": "coolgames.example",
    "users": ["s1"],
    "start": "2026-10-01T00:00:00-04:00",
    "until": "2026-10-10T00:00:00-04:00",  # open through 9 October
    "decided_by": "Dana Teacher",
}
STUDENT = {"roles": ["student"], "groups": [], "grade": "7", "acknowledged": True}


def records(*exceptions: dict[str, Any], **users: dict[str, Any]) -> dict[str, Any]:
    people = {"s1": dict(STUDENT), "s2": dict(STUDENT), **users}
    return {"users": people, "addresses": {"10.0.0.1": "s1"}, "exceptions": list(exceptions)}


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return compile_pack(CES, records(EXCEPTION))


def web(
    user: str | None, domain: str, categories: list[str] | None, time: str | None = SCHOOL_DAY
) -> Any:
    event: dict[str, Any] = {
        "channel": "web",
        "subject": {"user": user} if user else {"address": "10.0.0.1"},
        "web": {"domain": domain, "categories": categories},
    }
    if time:
        event["time"] = time
    return event_from_dict(event)


def test_the_excepted_student_gets_the_site_and_the_decision_cites_the_packs_clause(
    snapshot: Snapshot,
) -> None:
    decision = decide(snapshot, web("s1", "coolgames.example", ["games"]))
    assert decision.action == "allow"
    assert decision.rules == ("exception:7",)
    assert decision.clause_ids == ("ces/internet-safety/filtering-and-monitoring#intro",)
    assert "Dana Teacher opened coolgames.example until 2026-10-09" in decision.explanation
    assert decision.evidence[0].kind == "exception"


def test_another_student_is_still_blocked(snapshot: Snapshot) -> None:
    decision = decide(snapshot, web("s2", "coolgames.example", ["games"]))
    assert decision.action == "block" and decision.rules == ("web-games",)


def test_the_student_found_by_address_gets_it_too(snapshot: Snapshot) -> None:
    assert decide(snapshot, web(None, "coolgames.example", ["games"])).action == "allow"


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("coolgames.example", True),
        ("www.coolgames.example", True),
        ("a.b.coolgames.example", True),
        ("WWW.CoolGames.Example.", True),
        ("notcoolgames.example", False),
        ("coolgames.example.evil.test", False),
    ],
)
def test_the_domain_and_its_subdomains_only(snapshot: Snapshot, name: str, allowed: bool) -> None:
    decision = decide(snapshot, web("s1", name, ["games"]))
    assert (decision.action == "allow") is allowed, decision.rules


@pytest.mark.parametrize(
    ("time", "allowed"),
    [
        ("2026-09-30T23:59:59-04:00", False),  # before its first day
        ("2026-10-01T00:00:00-04:00", True),
        ("2026-10-09T23:59:00-04:00", True),  # its last day
        ("2026-10-10T00:00:00-04:00", False),  # ended
        (None, False),  # unknown time: the pack's own decision, the safe side
    ],
)
def test_only_in_its_window(snapshot: Snapshot, time: str | None, allowed: bool) -> None:
    decision = decide(snapshot, web("s1", "coolgames.example", ["games"], time))
    assert (decision.action == "allow") is allowed, decision.rules


def test_a_suspension_still_wins() -> None:
    suspended = dict(STUDENT)
    suspended["sanctions"] = [
        {
            "id": "x",
            "scope": "internet",
            "reason": "proxy use",
            "until": "2026-10-08T00:00:00-04:00",
        }
    ]
    snapshot = compile_pack(CES, records(EXCEPTION, s1=suspended))
    decision = decide(snapshot, web("s1", "coolgames.example", ["games"]))
    assert decision.action == "block"
    assert decision.rules == ("sanction-suspends-internet",)


@pytest.mark.parametrize(
    ("domain", "categories", "rule"),
    [
        ("proxy.example", ["redirector"], "web-filter-bypass"),
        ("vpn.example", ["vpn"], "web-filter-bypass"),
        ("use-application-dns.net", ["schoolgate-bypass"], "bypass-signals"),
    ],
)
def test_bypass_names_are_never_opened(domain: str, categories: list[str], rule: str) -> None:
    snapshot = compile_pack(CES, records({**EXCEPTION, "domain": domain}))
    decision = decide(snapshot, web("s1", domain, categories))
    assert decision.action == "block"
    assert rule in decision.rules and "bypass" in decision.tags


@pytest.mark.parametrize(
    ("pack", "categories", "rule"),
    [
        ("ces", ["adult"], "web-obscene-material"),
        ("ces", ["lingerie"], "student-sexual-content"),
        ("cipa-baseline", ["porn"], "obscene-material-blocked"),
        ("crec", ["adult"], "sexually-explicit-material-blocked"),
    ],
)
def test_cipa_material_is_never_opened_for_a_class(
    pack: str, categories: list[str], rule: str
) -> None:
    """A teacher may open a game for a class, never pornography: the packs tag it `safety`."""
    snapshot = compile_pack(load_pack(pack).pack, records({**EXCEPTION, "domain": "x.example"}))
    decision = decide(snapshot, web("s1", "x.example", categories))
    assert decision.action == "block", decision.explanation
    assert rule in decision.rules and "safety" in decision.tags


def test_an_unavailable_index_still_fails_closed_for_bypass_rules(snapshot: Snapshot) -> None:
    # categories unknown: the bypass rule fails closed for students, and an exception keeps it
    decision = decide(snapshot, web("s1", "coolgames.example", None))
    assert decision.action == "block"
    assert "web-filter-bypass" in decision.rules


def test_an_unlisted_name_is_allowed_by_the_exception_not_the_default(snapshot: Snapshot) -> None:
    assert decide(snapshot, web("s1", "coolgames.example", [])).rules == ("exception:7",)
    assert decide(snapshot, web("s2", "coolgames.example", [])).rules == ("default:web",)


def test_a_pack_without_an_exceptions_setting_cites_its_web_default() -> None:
    pack = load_pack(MINIMAL).pack
    assert pack.exceptions is None
    snapshot = compile_pack(pack, records(EXCEPTION))
    decision = decide(snapshot, web("s1", "coolgames.example", ["games"]))
    assert decision.action == "allow"
    assert decision.clause_ids == snapshot.defaults["web"].cites


def test_exceptions_survive_the_snapshot_file_and_change_its_revision(snapshot: Snapshot) -> None:
    again = Snapshot.from_bytes(snapshot.to_bytes())
    assert again.exceptions["s1"][0].domain == "coolgames.example"
    assert again.exception_domains == frozenset({"coolgames.example"})
    assert compile_pack(CES, records()).revision != snapshot.revision


def test_an_exception_without_a_utc_offset_is_refused() -> None:
    data = snapshot_data(CES, records({**EXCEPTION, "start": "2026-10-01T00:00:00"}))
    with pytest.raises(SnapshotError):
        Snapshot.from_data(data)
