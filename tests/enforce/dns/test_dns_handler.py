"""Whole DNS exchanges through the pure handler: bytes in, bytes out, no sockets.

A forwarded query is completed with an answer written here, the way an upstream would send it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from dns_running import LISTED, PACK, STAFF, STUDENT, build_lists, write_networks

from schoolgate.classify.domains import CategoryIndex
from schoolgate.enforce.dns.builtin import load_builtins
from schoolgate.enforce.dns.handler import BlockAnswer, Forward, Handler, Reply
from schoolgate.enforce.dns.networks import load_networks
from schoolgate.enforce.dns.policy import Decider, PolicyState
from schoolgate.enforce.dns.recent import RecentBlocks
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack
from schoolgate.spool import SpoolReader, SpoolWriter

# Monday 2026-10-05 10:00 in New York (school hours) and 20:00 (after)
IN_SCHOOL = dt.datetime(2026, 10, 5, 14, 0, tzinfo=dt.UTC).timestamp()
AFTER_SCHOOL = dt.datetime(2026, 10, 6, 0, 0, tzinfo=dt.UTC).timestamp()
PACKED = load_pack(PACK).pack


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Rig:
    """A handler over the test pack, lists and networks, with a spool and a settable clock."""

    def __init__(
        self,
        tmp: Path,
        records: dict[str, Any] | None = None,
        *,
        snapshot: bool = True,
        lists: bool = True,
        now: float = IN_SCHOOL,
        block: BlockAnswer | None = None,
    ) -> None:
        self.clock = Clock(now)
        index = CategoryIndex.open(build_lists(tmp, LISTED)) if lists else None
        self.state = PolicyState(
            snapshot=compile_pack(PACKED, records) if snapshot else None,
            categories=(lambda n: index.lookup_bytes(n.encode()).categories) if index else None,
            networks=load_networks(write_networks(tmp)),
            builtins=load_builtins(),
        )
        self.decider = Decider(self.state)
        self.spool = SpoolWriter(tmp / "spool")
        self.spool_dir = tmp / "spool"
        self.recent = RecentBlocks()
        self.handler = Handler(
            lambda: self.decider,
            spool=self.spool,
            recent=self.recent,
            block=block or BlockAnswer(ipv4=_ip("192.0.2.99"), ipv6=_ip("2001:db8::99")),
            clock=self.clock,
        )

    def ask(
        self,
        name: str,
        rtype: str = "A",
        client: str = STUDENT,
        *,
        upstream: list[str] | None = None,
        edns: int | None = 1232,
        tcp: bool = False,
        answer_rcode: int = 0,
    ) -> dns.message.Message:
        """Send a query; complete a forward with `upstream` records (None: the upstream fails)."""
        query = dns.message.make_query(
            name, rtype, use_edns=0 if edns is not None else False, payload=edns or 512
        )
        result = self.handler.handle(query.to_wire(), client, tcp=tcp)
        assert result is not None
        if isinstance(result, Forward):
            self.forwarded = result
            answer = None
            if upstream is not None:
                sent = dns.message.from_wire(result.upstream_query)
                response = dns.message.make_response(sent)
                response.set_rcode(answer_rcode)
                for line in upstream:
                    response.answer.append(dns.rrset.from_text(*line.split(maxsplit=4)))
                answer = response.to_wire(max_size=65535)  # as if fetched over TCP
            wire = result.finish(answer)
        else:
            assert isinstance(result, Reply)
            self.forwarded = None
            wire = result.wire
        message = dns.message.from_wire(wire)
        assert message.id == query.id
        return message

    def log(self) -> list[dict[str, Any]]:
        self.spool.sync()
        return [e.record for e in SpoolReader(self.spool_dir).read(10_000)]


def _ip(text: str) -> Any:
    import ipaddress

    return ipaddress.ip_address(text)


def _ede(message: dns.message.Message) -> str | None:
    for option in message.options:
        if isinstance(option, dns.edns.EDEOption):
            return option.text
    return None


def _addresses(message: dns.message.Message) -> list[str]:
    return [r.to_text() for rrset in message.answer for r in rrset]


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("www.adult.test", "adult"),
        ("www.games.test", "games"),
        ("www.chat.test", "chat"),
        ("deep.sub.proxy.test", "redirector"),
        ("vpn.test", "vpn"),
        ("doh.test", "doh"),
        ("www.malware.test", "malware"),
    ],
)
def test_student_subnet_blocks_each_category_with_the_block_page(
    rig: Rig, name: str, category: str
) -> None:
    answer = rig.ask(name)
    assert answer.rcode() == dns.rcode.NOERROR
    assert _addresses(answer) == ["192.0.2.99"]
    assert answer.answer[0].ttl == 10
    record = rig.log()[-1]
    assert record["name"] == name and record["action"] == "block"
    assert category in record["categories"]
    assert record["network"] == "students"


@pytest.mark.parametrize(
    ("name", "blocked"),
    [
        ("www.adult.test", True),
        ("www.malware.test", True),
        ("www.games.test", False),
        ("www.chat.test", False),
        ("www.proxy.test", False),
        ("www.vpn.test", False),
        ("www.doh.test", False),
        ("www.shop.test", False),
    ],
)
def test_staff_subnet_blocks_only_adult_and_malware(rig: Rig, name: str, blocked: bool) -> None:
    answer = rig.ask(name, client=STAFF, upstream=[f"{name}. 300 IN A 192.0.2.77"])
    assert (_addresses(answer) == ["192.0.2.99"]) is blocked
    if not blocked:
        assert _addresses(answer) == ["192.0.2.77"]


def test_longest_prefix_puts_one_host_of_the_staff_subnet_in_the_student_group(rig: Rig) -> None:
    assert _addresses(rig.ask("www.games.test", client="127.0.1.99")) == ["192.0.2.99"]


def test_blocked_answer_carries_rule_and_clause_as_extended_error(rig: Rig) -> None:
    answer = rig.ask("www.games.test")
    assert _ede(answer) == "block by rule students-games [d/filter#2]"


def test_blocked_aaaa_gets_the_ipv6_block_page_and_https_gets_no_data(rig: Rig) -> None:
    assert _addresses(rig.ask("www.games.test", "AAAA")) == ["2001:db8::99"]
    https = rig.ask("www.games.test", "HTTPS")
    assert https.rcode() == dns.rcode.NOERROR and not https.answer
    assert https.authority[0].rdtype == dns.rdatatype.SOA
    record = rig.log()[-1]
    assert record["type"] == "HTTPS" and record["bypass"] is True
    assert record["bypass_kind"] == "https-record"


def test_without_a_block_page_address_blocked_names_do_not_exist(tmp_path: Path) -> None:
    rig = Rig(tmp_path, block=BlockAnswer())
    assert rig.ask("www.games.test").rcode() == dns.rcode.NXDOMAIN
    aaaa = rig.ask("www.games.test", "AAAA")
    assert aaaa.rcode() == dns.rcode.NOERROR and not aaaa.answer


@pytest.mark.parametrize(
    "name", ["use-application-dns.net", "mask.icloud.com", "mask-h2.icloud.com"]
)
@pytest.mark.parametrize("client", [STUDENT, STAFF])
def test_bypass_signals_are_nxdomain_for_everyone_and_logged_as_bypass(
    rig: Rig, name: str, client: str
) -> None:
    answer = rig.ask(name, client=client)
    assert answer.rcode() == dns.rcode.NXDOMAIN
    record = rig.log()[-1]
    assert record["bypass"] is True and record["rule"] == "bypass-signals"
    assert record["clause"] == "d/filter#3"


def test_ddr_discovery_is_refused_so_clients_do_not_upgrade_to_the_upstreams_doh(rig: Rig) -> None:
    answer = rig.ask("_dns.resolver.arpa", "SVCB", client=STAFF)
    assert answer.rcode() == dns.rcode.NXDOMAIN
    assert rig.log()[-1]["bypass"] is True


def test_proxy_names_are_bypass_events_for_students(rig: Rig) -> None:
    rig.ask("www.proxy.test")
    record = rig.log()[-1]
    assert record["bypass"] is True and record["bypass_kind"] == "rule"
    assert record["rule"] == "students-proxies"


def test_nxdomain_tag_on_a_rule_answers_nxdomain(rig: Rig) -> None:
    answer = rig.ask("www.gone.test", client=STAFF)
    assert answer.rcode() == dns.rcode.NXDOMAIN
    assert answer.authority[0].rdtype == dns.rdatatype.SOA


@pytest.mark.parametrize(
    ("name", "client", "target", "address"),
    [
        ("www.google.com", STUDENT, "forcesafesearch.google.com.", "216.239.38.120"),
        ("google.co.uk", STAFF, "forcesafesearch.google.com.", "216.239.38.120"),
        ("www.youtube.com", STUDENT, "restrict.youtube.com.", "216.239.38.119"),
        ("m.youtube.com", STAFF, "restrictmoderate.youtube.com.", "216.239.38.118"),
        ("www.bing.com", STUDENT, "strict.bing.com.", "204.79.197.220"),
        ("duckduckgo.com", STUDENT, "safe.duckduckgo.com.", "52.1.1.2"),
    ],
)
def test_safesearch_answers_a_cname_to_the_safe_address_with_its_records(
    rig: Rig, name: str, client: str, target: str, address: str
) -> None:
    answer = rig.ask(name, client=client, upstream=[f"{target} 300 IN A {address}"])
    assert rig.forwarded is not None and rig.forwarded.qname == target.rstrip(".")
    cname, a = answer.answer
    assert cname.rdtype == dns.rdatatype.CNAME and cname[0].target.to_text() == target
    assert cname.name.to_text() == f"{name}."
    assert a.name.to_text() == target and a[0].address == address
    # the second time it comes from the cache, for the same group
    again = rig.ask(name, client=client)
    assert rig.forwarded is None and _addresses(again)[-1] == address


def test_safesearch_leaves_other_names_of_the_same_site_alone(rig: Rig) -> None:
    answer = rig.ask("maps.google.com", upstream=["maps.google.com. 300 IN A 142.250.1.3"])
    assert _addresses(answer) == ["142.250.1.3"]


def test_allowed_answers_are_cached_and_their_ttls_count_down(rig: Rig) -> None:
    first = rig.ask("www.allowed.test", upstream=["www.allowed.test. 300 IN A 192.0.2.10"])
    assert first.answer[0].ttl == 300
    rig.clock.now += 100
    second = rig.ask("WWW.Allowed.TEST")
    assert rig.forwarded is None
    assert second.answer[0].ttl == 200
    assert second.question[0].name.to_text() == "WWW.Allowed.TEST."  # the client's own case
    rig.clock.now += 201
    rig.ask("www.allowed.test", upstream=["www.allowed.test. 300 IN A 192.0.2.10"])
    assert rig.forwarded is not None  # expired: asked again


def test_upstream_failure_is_servfail_and_not_cached(rig: Rig) -> None:
    assert rig.ask("www.allowed.test", upstream=None).rcode() == dns.rcode.SERVFAIL
    rig.ask("www.allowed.test", upstream=None)
    assert rig.forwarded is not None
    assert rig.handler.stats.upstream_failures == 2


def test_answers_too_large_for_udp_are_truncated_and_whole_over_tcp(rig: Rig) -> None:
    records = [f'big.test. 300 IN TXT "{"x" * 200} {i}"' for i in range(12)]
    small = rig.ask("big.test", "TXT", edns=None, upstream=records)
    assert small.flags & dns.flags.TC and not small.answer
    edns = rig.ask("big.test", "TXT", edns=1232)  # from the cache, still too big for 1232
    assert edns.flags & dns.flags.TC
    whole = rig.ask("big.test", "TXT", edns=None, tcp=True)
    assert not whole.flags & dns.flags.TC and len(whole.answer[0]) == 12


def test_a_client_without_edns_gets_no_opt_record(rig: Rig) -> None:
    answer = rig.ask("www.allowed.test", edns=None, upstream=["www.allowed.test. 300 IN A 1.2.3.4"])
    assert answer.edns == -1
    with_edns = rig.ask("www.allowed.test", edns=4096)
    assert with_edns.edns == 0 and with_edns.payload == 1232


def test_time_windows_block_social_networks_only_in_school_hours(tmp_path: Path) -> None:
    rig = Rig(tmp_path, now=IN_SCHOOL)
    assert _addresses(rig.ask("social.test")) == ["192.0.2.99"]
    rig.clock.now = AFTER_SCHOOL  # the memo entry expired with the minute
    answer = rig.ask("social.test", upstream=["social.test. 300 IN A 192.0.2.60"])
    assert _addresses(answer) == ["192.0.2.60"]


def _suspended(start: float, until: float) -> dict[str, Any]:
    def iso(t: float) -> str:
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat()

    return {
        "users": {
            "s1001": {
                "roles": ["student"],
                "sanctions": [
                    {
                        "id": "x1",
                        "scope": "network",
                        "reason": "misuse of the network, three days",
                        "start": iso(start),
                        "until": iso(until),
                    }
                ],
            }
        },
        "addresses": {"127.0.1.50": "s1001"},
    }


def test_a_suspended_users_device_is_blocked_with_the_suspension_as_reason(tmp_path: Path) -> None:
    rig = Rig(tmp_path, _suspended(IN_SCHOOL - 3600, IN_SCHOOL + 60))
    # the address is on the staff subnet, but the live mapping names a suspended student
    answer = rig.ask("www.allowed.test", client="127.0.1.50")
    assert _addresses(answer) == ["192.0.2.99"]
    assert "suspended" in (_ede(answer) or "")
    record = rig.log()[-1]
    assert record["user"] == "s1001" and record["rule"] == "suspended"
    verdict = rig.recent.find("127.0.1.50", "www.allowed.test")
    assert verdict is not None and verdict[0].decision is not None
    assert "misuse of the network" in verdict[0].decision.explanation
    # the allow-listed learning site stays reachable
    learn = rig.ask("learn.test", client="127.0.1.50", upstream=["learn.test. 300 IN A 192.0.2.28"])
    assert _addresses(learn) == ["192.0.2.28"]
    # when the suspension ends, the memo entry ends with it
    rig.clock.now = IN_SCHOOL + 61
    after = rig.ask(
        "www.allowed.test", client="127.0.1.50", upstream=["www.allowed.test. 1 IN A 1.1.1.1"]
    )
    assert _addresses(after) == ["1.1.1.1"]


def test_without_a_policy_students_are_blocked_and_open_networks_forwarded(tmp_path: Path) -> None:
    rig = Rig(tmp_path, snapshot=False)
    blocked = rig.ask("www.allowed.test")
    assert _addresses(blocked) == ["192.0.2.99"]
    assert "no filtering policy" in (_ede(blocked) or "")
    staff = rig.ask(
        "www.allowed.test", client=STAFF, upstream=["www.allowed.test. 300 IN A 1.2.3.4"]
    )
    assert _addresses(staff) == ["1.2.3.4"]
    assert rig.log()[0]["rule"] == "no-policy"


def test_without_the_category_index_student_rules_fail_closed(tmp_path: Path) -> None:
    rig = Rig(tmp_path, lists=False)
    assert _addresses(rig.ask("www.allowed.test")) == ["192.0.2.99"]  # student: closed
    staff = rig.ask(
        "www.allowed.test", client=STAFF, upstream=["www.allowed.test. 300 IN A 1.2.3.4"]
    )
    assert _addresses(staff) == ["1.2.3.4"]  # staff: open
    assert rig.log()[0]["categories"] is None


def test_every_decision_is_logged_before_the_answer_with_its_facts(rig: Rig) -> None:
    for name in ("www.games.test", "www.games.test", "www.adult.test"):
        rig.ask(name)
    log = rig.log()
    assert [r["name"] for r in log] == ["www.games.test", "www.games.test", "www.adult.test"]
    record = log[0]
    expected = {
        "kind", "time", "client", "user", "network", "school", "name", "type", "categories",
        "action", "answer", "rule", "rules", "clause", "clauses", "revision", "lists_revision",
        "bypass", "bypass_kind",
    }  # fmt: skip
    assert set(record) == expected
    assert record["revision"] == rig.state.snapshot.revision  # type: ignore[union-attr]
    assert record["client"] == STUDENT and record["time"] == pytest.approx(IN_SCHOOL)
    assert json.dumps(record)  # plain JSON


def test_the_memo_asks_the_engine_once_per_group_and_name(rig: Rig) -> None:
    for _ in range(5):
        rig.ask("www.games.test")
        rig.ask("www.games.test", client="127.0.0.11")  # same network: same memo entry
    assert rig.decider.decisions == 1
    rig.ask("www.games.test", client=STAFF, upstream=["www.games.test. 300 IN A 192.0.2.20"])
    assert rig.decider.decisions == 2


@pytest.mark.parametrize(
    ("wire", "rcode"),
    [
        (b"\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00" + b"\x00\x00\x01\x00\x01" * 2, 1),
        (b"\x12\x34\x29\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01", 4),
        (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", 1),
    ],
    ids=["two-questions", "update-opcode", "pointer-in-question"],
)
def test_bad_queries_get_an_error_code_not_silence(rig: Rig, wire: bytes, rcode: int) -> None:
    result = rig.handler.handle(wire, STUDENT)
    assert isinstance(result, Reply)
    message = dns.message.from_wire(result.wire)
    assert message.id == 0x1234 and message.rcode() == rcode


def test_responses_and_runts_are_dropped(rig: Rig) -> None:
    assert rig.handler.handle(b"\x00" * 5, STUDENT) is None
    response = dns.message.make_response(dns.message.make_query("x.test", "A")).to_wire()
    assert rig.handler.handle(response, STUDENT) is None


def test_edns_version_1_gets_badvers(rig: Rig) -> None:
    query = dns.message.make_query("www.allowed.test", "A", use_edns=1)
    result = rig.handler.handle(query.to_wire(), STUDENT)
    assert isinstance(result, Reply)
    assert dns.message.from_wire(result.wire).rcode() == dns.rcode.BADVERS


def test_other_classes_and_zone_transfers_are_refused(rig: Rig) -> None:
    for rdclass, rdtype in (("CH", "TXT"), ("IN", "AXFR")):
        query = dns.message.make_query("version.bind", rdtype, rdclass=rdclass)
        result = rig.handler.handle(query.to_wire(), STUDENT)
        assert isinstance(result, Reply)
        assert dns.message.from_wire(result.wire).rcode() == dns.rcode.REFUSED
