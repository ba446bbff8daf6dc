"""The resolver following a snapshot over HTTP (`--snapshot-url`, enforce/follow.py): from the
real `snapshot serve` server with a token file, asked by dnspython. The fetch runs in a worker
thread, so a control plane that hangs does not hold up answers; with no snapshot at all it fails
closed; a refused token is reported without the token. (tests/control/test_follow.py follows the
API's route end to end, with a suspension made through the API.)"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import pytest
from dns_peers import Unbound, addresses
from dns_running import PACK, STAFF, STUDENT, InProcess

from schoolgate.control.publication.server import SnapshotServer, TokenFile
from schoolgate.enforce.dns.service import CACHE_NAME, ResolverOptions
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack

pytestmark = pytest.mark.integration

SECRET = "sgt_" + secrets.token_urlsafe(32)


def _options(upstream: Unbound, lists: Path, networks: Path, tmp: Path, **extra) -> ResolverOptions:  # type: ignore[no-untyped-def]
    token_file = tmp / "token"
    token_file.write_text(SECRET + "\n")
    token_file.chmod(0o600)
    base = {
        "listen": ("127.0.0.1", 0),
        "upstreams": [("127.0.0.1", upstream.port)],
        "lists": lists,
        "networks": networks,
        "block_addresses": ["192.0.2.99"],
        "poll_interval": 0.1,
        "token_file": token_file,
        "work_dir": tmp / "work",
    }
    base.update(extra)
    return ResolverOptions(**base)


def _publish(path: Path, suspended: bool) -> str:
    """A published snapshot: the DNS test pack, STAFF's address is student s1's laptop."""
    records = {"users": {"s1": {"roles": ["student"], "sanctions": []}}, "addresses": {STAFF: "s1"}}
    if suspended:
        records["users"]["s1"]["sanctions"] = [  # type: ignore[index]
            {"id": "x1", "scope": "network", "reason": "three-day suspension", "until": None}
        ]
    snapshot = compile_pack(load_pack(PACK).pack, records)
    path.write_bytes(snapshot.to_bytes())
    return snapshot.revision


@pytest.fixture
def served(tmp_path: Path) -> Iterator[SnapshotServer]:
    tokens = tmp_path / "accepted"
    tokens.write_text(SECRET + "\n")
    tokens.chmod(0o600)
    httpd = SnapshotServer(("127.0.0.1", 0), tmp_path / "published.json", TokenFile(tokens))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def ask(port: int, name: str, source: str = STUDENT, timeout: float = 5) -> dns.message.Message:
    query = dns.message.make_query(name, "A")
    return dns.query.udp(query, "127.0.0.1", port=port, source=source, timeout=timeout)


def _wait(check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def test_following_with_a_token_fails_closed_then_follows_each_publish(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path, served: SnapshotServer
) -> None:
    published = tmp_path / "published.json"
    running = InProcess(
        _options(upstream, lists_file, networks_file, tmp_path, snapshot_url=served.url)
    )
    try:
        # Nothing published (503) and nothing cached: students fail closed, staff stay open.
        assert running.resolver.snapshot is None
        assert addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.99"]
        assert addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.10"]
        _publish(published, suspended=False)
        _wait(lambda: addresses(ask(running.port, "www.allowed.test")) == ["192.0.2.10"])
        # The address map says STAFF's address is student s1; suspend s1.
        revision = _publish(published, suspended=True)
        _wait(
            lambda: addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.99"]
        )
        assert running.resolver.snapshot.revision == revision  # type: ignore[union-attr]
        cached = tmp_path / "work" / CACHE_NAME
        assert cached.read_bytes() == published.read_bytes()
    finally:
        running.stop()
    assert any("HTTP 503" in message for message in running.messages)
    assert not any(SECRET in message for message in running.messages)


def test_a_refused_token_is_reported_without_it_and_the_last_good_kept(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path, served: SnapshotServer
) -> None:
    published = tmp_path / "published.json"
    good = _publish(published, suspended=True)
    running = InProcess(
        _options(upstream, lists_file, networks_file, tmp_path, snapshot_url=served.url)
    )
    try:
        assert running.resolver.snapshot.revision == good  # type: ignore[union-attr]
        accepted = tmp_path / "accepted"
        accepted.write_text("sgt_some-other-resolver-token-0123456789\n")  # ours withdrawn
        _publish(published, suspended=False)
        _wait(lambda: bool(running.resolver.reload_errors))
        error = running.resolver.reload_errors[-1]
        assert "HTTP 401" in error and SECRET not in error, error
        assert running.resolver.snapshot.revision == good  # type: ignore[union-attr]
        assert addresses(ask(running.port, "www.allowed.test", source=STAFF)) == ["192.0.2.99"]
    finally:
        running.stop()
    assert not any(SECRET in message for message in running.messages)


def test_a_hanging_control_plane_does_not_hold_up_answers(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> None:
    """The fetch waits out its timeout in a worker thread; queries keep being answered."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections (the kernel does) and never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/snapshot.json"
    options = _options(
        upstream, lists_file, networks_file, tmp_path, snapshot_url=url, pack=str(PACK)
    )
    options.fetch_timeout = 2.0
    running = InProcess(options)  # the first fetch times out: the pack is compiled instead
    try:
        assert running.resolver.snapshot is not None
        started = time.monotonic()
        slowest = 0.0
        while time.monotonic() - started < 3:  # spans at least one whole hanging fetch
            asked = time.monotonic()
            answer = ask(running.port, "www.allowed.test", timeout=1)
            slowest = max(slowest, time.monotonic() - asked)
            assert addresses(answer) == ["192.0.2.10"]
        assert slowest < 1, slowest
    finally:
        running.stop()
        silent.close()
    assert any("timed out" in message for message in running.messages), running.messages


def test_the_command_checks_its_policy_sources_before_serving(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from schoolgate.enforce.dns.cli import dns as command

    base = ["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9"]
    url = "http://127.0.0.1:9/snapshot.json"
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    token.chmod(0o644)
    work = ["--work-dir", str(tmp_path / "work")]
    cases = {
        "--snapshot-url needs --work-dir": ["--snapshot-url", url],
        "give --snapshot or --snapshot-url, not both": [
            "--snapshot-url", url, "--snapshot", str(tmp_path / "s.json"), *work,
        ],
        "--token-file is the token for --snapshot-url": ["--pack", str(PACK), "--token-file", str(token)],
        "readable by others (mode 0644); chmod 600": [
            "--snapshot-url", url, "--token-file", str(token), *work,
        ],
    }  # fmt: skip
    for message, args in cases.items():
        result = CliRunner().invoke(command, [*base, *args])
        assert result.exit_code != 0 and message in result.output, (message, result.output)
        assert SECRET not in result.output
