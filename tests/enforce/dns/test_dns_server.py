"""The running resolver on loopback, asked by real clients (dnspython and dig), forwarding to a
real unbound started by the tests."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest
from dns_peers import Unbound, addresses, free_port
from dns_running import PACK, STAFF, STUDENT, InProcess, Subprocess

from schoolgate.enforce.dns.service import ResolverOptions
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack
from schoolgate.spool import SpoolReader

pytestmark = pytest.mark.integration


def options(upstream: Unbound, lists: Path, networks: Path, tmp: Path, **extra) -> ResolverOptions:  # type: ignore[no-untyped-def]
    base = {
        "listen": ("127.0.0.1", 0),
        "upstreams": [("127.0.0.1", upstream.port)],
        "pack": str(PACK),
        "lists": lists,
        "networks": networks,
        "spool": tmp / "spool",
        "blockpage": ("127.0.0.1", 0),
        "block_addresses": ["192.0.2.99"],
        "poll_interval": 0.1,
    }
    base.update(extra)
    return ResolverOptions(**base)


@pytest.fixture
def resolver(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> Iterator[InProcess]:
    running = InProcess(options(upstream, lists_file, networks_file, tmp_path))
    yield running
    running.stop()


def ask(
    port: int, name: str, rtype: str = "A", source: str = STUDENT, tcp: bool = False, **kw
) -> dns.message.Message:  # type: ignore[no-untyped-def]
    query = dns.message.make_query(name, rtype, **kw)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, "127.0.0.1", port=port, source=source, timeout=5)


def dig(port: int, *args: str) -> str:
    command = ["dig", "+time=3", "+tries=1", "-p", str(port), "@127.0.0.1", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_student_and_staff_subnets_get_their_own_policy(resolver: InProcess) -> None:
    port = resolver.port
    student = {n: addresses(ask(port, n)) for n in ("www.games.test", "www.allowed.test")}
    staff = {n: addresses(ask(port, n, source=STAFF)) for n in ("www.games.test", "www.adult.test")}
    assert student == {"www.games.test": ["192.0.2.99"], "www.allowed.test": ["192.0.2.10"]}
    assert staff == {"www.games.test": ["192.0.2.20"], "www.adult.test": ["192.0.2.99"]}


def test_tcp_answers_the_same_as_udp(resolver: InProcess) -> None:
    assert addresses(ask(resolver.port, "www.chat.test", tcp=True)) == ["192.0.2.99"]
    assert addresses(ask(resolver.port, "www.allowed.test", tcp=True)) == ["192.0.2.10"]


def test_dig_sees_the_canary_nxdomain_and_safesearch_cname(resolver: InProcess) -> None:
    canary = dig(resolver.port, "-b", STAFF, "use-application-dns.net", "A")
    assert "status: NXDOMAIN" in canary
    google = dig(resolver.port, "-b", STUDENT, "+short", "www.google.com", "A").split()
    assert google == ["forcesafesearch.google.com.", "216.239.38.120"]
    youtube = dig(resolver.port, "-b", STAFF, "+short", "www.youtube.com", "A").split()
    assert youtube == ["restrictmoderate.youtube.com.", "216.239.38.118"]


def test_dig_retries_a_truncated_answer_over_tcp(resolver: InProcess) -> None:
    udp_only = dig(resolver.port, "-b", STUDENT, "+ignore", "+noedns", "big.test", "TXT")
    assert " tc" in udp_only.split("flags:")[1].split(";")[0]
    whole = dig(resolver.port, "-b", STUDENT, "+noedns", "big.test", "TXT")
    assert "Truncated, retrying in TCP mode" in whole
    answers = [line for line in whole.splitlines() if "\tTXT\t" in line and line[0] != ";"]
    assert len(answers) == 12


def test_every_answer_was_logged_with_rule_and_clause(resolver: InProcess, tmp_path: Path) -> None:
    ask(resolver.port, "www.proxy.test")
    ask(resolver.port, "www.allowed.test", source=STAFF)
    resolver.run(resolver.resolver.spool.sync)  # type: ignore[union-attr]
    records = [e.record for e in SpoolReader(tmp_path / "spool").read()]
    proxy = next(r for r in records if r["name"] == "www.proxy.test")
    assert proxy["rule"] == "students-proxies" and proxy["clause"] == "d/filter#3"
    assert proxy["bypass"] is True and proxy["client"] == STUDENT
    allowed = next(r for r in records if r["name"] == "www.allowed.test")
    assert allowed["action"] == "allow" and allowed["network"] == "staff"


def test_a_dead_first_upstream_fails_over_to_the_next(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> None:
    dead = free_port()  # nothing listens there
    running = InProcess(
        options(
            upstream, lists_file, networks_file, tmp_path,
            upstreams=[("127.0.0.1", dead), ("127.0.0.1", upstream.port)],
            upstream_timeout=1.0,
        )
    )  # fmt: skip
    try:
        assert addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.10"]
        pool = running.resolver.server.upstreams  # type: ignore[union-attr]
        assert pool.upstreams[0].timeouts == 1 and pool.upstreams[1].answers == 1
        # the dead one rests now: the next query goes straight to the live one
        assert addresses(ask(running.port, "www.allowed.test", "AAAA")) == ["2001:db8::10"]
        assert pool.upstreams[0].timeouts == 1
    finally:
        running.stop()


def test_all_upstreams_down_is_servfail_not_silence(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> None:
    running = InProcess(
        options(
            upstream, lists_file, networks_file, tmp_path,
            upstreams=[("127.0.0.1", free_port())], upstream_timeout=0.2,
        )
    )  # fmt: skip
    try:
        assert ask(running.port, "www.allowed.test").rcode() == dns.rcode.SERVFAIL
        assert addresses(ask(running.port, "www.games.test")) == [
            "192.0.2.99"
        ]  # no upstream needed
    finally:
        running.stop()


def test_garbage_does_not_stop_the_server(resolver: InProcess) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for junk in (b"", b"\x00", b"\xff" * 12, b"\x12\x34" + b"\xc0" * 600, bytes(range(256))):
            sock.sendto(junk, ("127.0.0.1", resolver.port))
    with socket.create_connection(("127.0.0.1", resolver.port)) as stream:
        stream.sendall(b"\x00\x05hello\xff\xff")  # a bad message, then a length never filled
    assert addresses(ask(resolver.port, "www.allowed.test")) == ["192.0.2.10"]
    assert resolver.resolver.server.crashes == 0  # type: ignore[union-attr]


def _snapshot_file(path: Path, suspended: bool) -> Path:
    records = {"users": {"s1": {"roles": ["student"], "sanctions": []}}, "addresses": {STAFF: "s1"}}
    if suspended:
        records["users"]["s1"]["sanctions"] = [  # type: ignore[index]
            {"id": "x1", "scope": "network", "reason": "three-day suspension", "until": None}
        ]
    path.write_bytes(compile_pack(load_pack(PACK).pack, records).to_bytes())
    return path


def _wait(check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def test_a_published_snapshot_is_reloaded_on_change_and_a_bad_one_refused(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> None:
    snapshot = _snapshot_file(tmp_path / "policy.snapshot", suspended=False)
    running = InProcess(
        options(upstream, lists_file, networks_file, tmp_path, pack=None, snapshot=snapshot)
    )
    try:
        # the live address map says STAFF's address is student s1: student rules apply
        assert addresses(ask(running.port, "www.games.test", source=STAFF)) == ["192.0.2.99"]
        assert addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.10"]
        _snapshot_file(snapshot, suspended=True)
        _wait(
            lambda: addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.99"]
        )
        answer = ask(running.port, "www.allowed.test", source=STAFF, use_edns=0)
        assert "three-day suspension" in answer.options[0].text
        good = running.resolver.snapshot.revision  # type: ignore[union-attr]
        snapshot.write_bytes(snapshot.read_bytes().replace(b"three-day", b"ten-day"))  # tampered
        _wait(lambda: bool(running.resolver.reload_errors))
        assert "does not match its revision" in running.resolver.reload_errors[-1]
        assert running.resolver.snapshot.revision == good  # type: ignore[union-attr]
        assert addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.99"]
    finally:
        running.stop()


def test_no_snapshot_at_start_fails_closed_for_students(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "not-yet-published.snapshot"
    running = InProcess(
        options(upstream, lists_file, networks_file, tmp_path, pack=None, snapshot=missing)
    )
    try:
        assert addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.99"]
        assert addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.10"]
        _snapshot_file(missing, suspended=False)
        _wait(lambda: addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.10"])
    finally:
        running.stop()


def test_a_bad_networks_file_on_reload_keeps_the_last_good_one(
    resolver: InProcess, networks_file: Path
) -> None:
    text = networks_file.read_text()
    networks_file.write_text(text.replace("127.0.1.0/24", "127.0.1.0/33"))
    _wait(lambda: bool(resolver.resolver.reload_errors))
    assert f"{networks_file}:" in resolver.resolver.reload_errors[-1]
    assert addresses(ask(resolver.port, "www.games.test", source=STAFF)) == ["192.0.2.20"]
    networks_file.write_text(text.replace("roles: [staff]", "roles: [student]"))
    _wait(lambda: addresses(ask(resolver.port, "www.games.test", source=STAFF)) == ["192.0.2.99"])


@pytest.mark.slow
def test_the_command_runs_standalone_and_reloads_on_sighup(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "pack.yaml"
    shutil.copy(PACK, pack)
    command = Subprocess(
        [
            "--upstream", f"127.0.0.1:{upstream.port}", "--pack", str(pack),
            "--lists", str(lists_file), "--networks", str(networks_file),
            "--spool", str(tmp_path / "spool"), "--block-mode", "nxdomain", "--poll", "3600",
        ],
        tmp_path,
    )  # fmt: skip
    try:
        assert ask(command.port, "www.games.test").rcode() == dns.rcode.NXDOMAIN
        assert addresses(ask(command.port, "www.games.test", source=STAFF)) == ["192.0.2.20"]
        pack.write_text(
            pack.read_text().replace(
                "applies_to: {roles: [student]}\n    when: {categories: [games]}",
                "when: {categories: [games]}",
            )
        )
        command.signal(signal.SIGHUP)
        _wait(
            lambda: ask(command.port, "www.games.test", source=STAFF).rcode() == dns.rcode.NXDOMAIN
        )
        assert "SIGHUP" in command.stderr
    finally:
        assert command.stop() == 0
    names = [e.record["name"] for e in SpoolReader(tmp_path / "spool").read()]
    assert names.count("www.games.test") >= 3


def test_a_bad_networks_file_at_start_is_an_error_naming_the_line(
    upstream: Unbound, lists_file: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "networks.yaml"
    bad.write_text(
        "networks:\n  - cidr: 10.0.0.0/8\n    roles: [student]\n  - cidr: 10.1.0.300/16\n"
    )
    result = subprocess.run(
        [
            str(Path(__import__("sys").executable).parent / "schoolgate"), "dns",
            "--listen", "127.0.0.1:0", "--upstream", f"127.0.0.1:{upstream.port}",
            "--pack", str(PACK), "--networks", str(bad),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{bad}:4:11: not a CIDR" in result.stderr


def test_tcp_connections_beyond_the_cap_are_closed_not_queued(resolver: InProcess) -> None:
    import socket

    server = resolver.resolver.server
    assert server is not None
    server.max_connections = 2
    held = [socket.create_connection(("127.0.0.1", resolver.port)) for _ in range(2)]
    try:
        _wait(lambda: server.connections == 2)
        with socket.create_connection(("127.0.0.1", resolver.port)) as extra:
            extra.settimeout(5)
            assert extra.recv(1) == b""  # closed at once
        for sock in held:
            sock.close()
        _wait(lambda: server.connections == 0)
        assert addresses(ask(resolver.port, "www.allowed.test", tcp=True)) == ["192.0.2.10"]
    finally:
        for sock in held:
            sock.close()


def test_a_rebuilt_index_is_swapped_in_and_a_damaged_one_refused(
    upstream: Unbound, networks_file: Path, tmp_path: Path
) -> None:
    from dns_running import LISTED, build_lists

    lists = build_lists(tmp_path)
    running = InProcess(options(upstream, lists, networks_file, tmp_path))
    try:
        assert addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.10"]
        build_lists(tmp_path, {**LISTED, "allowed.test": "games"})  # replaces the file atomically
        _wait(lambda: addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.99"])
        damaged = tmp_path / "damaged.idx"  # a bad file put in place the way tools do: rename
        damaged.write_bytes(lists.read_bytes()[:100])
        damaged.replace(lists)
        _wait(lambda: bool(running.resolver.reload_errors))
        assert addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.99"]
        assert addresses(ask(running.port, "www.games.test")) == ["192.0.2.99"]
    finally:
        running.stop()
