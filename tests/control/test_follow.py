# ruff: noqa: S310, S104  (URLs of the test servers on 127.0.0.1; 0.0.0.0 is only refused)
"""Following the snapshot with a token (schoolgate/enforce/follow.py) from both places that hand
it out: `schoolgate snapshot serve` with `--token-file`, and the API's `GET /api/v1/snapshot`
served by a real WSGI server (pytest-django's live server thread) with a real machine token.

200 then 304, a bad token refused (401) without the token in any message, a tampered body
refused and the last good snapshot kept, and a fetcher that starts from its cache file when the
control plane is down. The server refuses to serve without tokens on anything but loopback."""

from __future__ import annotations

import hashlib
import secrets
import socket
import stat
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from schoolgate.control.api.tokens import create
from schoolgate.control.publication.server import (
    SnapshotServer,
    TokenFile,
    TokenFileError,
    check_bind,
)
from schoolgate.control.publication.services import publish
from schoolgate.enforce.follow import FollowError, SnapshotFetcher, read_token_file
from schoolgate.engine.snapshot import Snapshot

SECRET = "sgt_" + secrets.token_urlsafe(32)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _token_file(folder: Path, *lines: str) -> Path:
    path = folder / "tokens"
    path.write_text("".join(f"{line}\n" for line in lines))
    path.chmod(0o600)
    return path


def _tamper(path: Path) -> None:
    """Change the content and claim another revision (so the server's ETag changes too) that
    does not match it: what `from_bytes` must catch."""
    blob = path.read_bytes()
    revision = Snapshot.from_bytes(blob).revision.encode()
    path.write_bytes(blob.replace(b'"ces"', b'"cez"', 1).replace(revision, b"0" * 64))


@pytest.fixture
def served(data_dir: Path, tmp_path: Path) -> Iterator[SnapshotServer]:
    """`snapshot serve` on loopback accepting one token, given in the file as its digest."""
    digest = hashlib.sha256(SECRET.encode()).hexdigest()
    tokens = TokenFile(_token_file(tmp_path, "# the DNS filter", digest))
    httpd = SnapshotServer(("127.0.0.1", 0), data_dir / "snapshot.json", tokens)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


# ------------------------------------------------------------------ snapshot serve


@pytest.mark.usefixtures("db")
def test_serve_wants_a_token_then_answers_200_and_304(
    served: SnapshotServer, data_dir: Path, tmp_path: Path
) -> None:
    result = publish()
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(served.url, timeout=5)
    assert anonymous.value.code == 401
    assert anonymous.value.headers["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.value.read() == b"a valid bearer token is required\n"

    wrong = SnapshotFetcher(served.url, token="sgt_not-the-one-" + "x" * 30)
    assert not wrong.fetch() and wrong.snapshot is None
    assert "HTTP 401" in (wrong.last_error or "") and "sgt_" not in (wrong.last_error or "")

    cache = tmp_path / "cache.json"
    fetcher = SnapshotFetcher(served.url, token=SECRET, cache=cache)
    assert fetcher.fetch(), fetcher.last_error
    assert fetcher.snapshot is not None and fetcher.snapshot.revision == result.revision
    assert fetcher.etag == f'"{result.revision}"'
    assert not fetcher.fetch() and fetcher.last_error is None  # 304
    assert cache.read_bytes() == (data_dir / "snapshot.json").read_bytes()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600  # student records
    # /healthz stays open (no data); /revision is behind the token like the snapshot.
    with urllib.request.urlopen(served.url.replace("/snapshot.json", "/healthz"), timeout=5) as ok:
        assert ok.status == 200
    with pytest.raises(urllib.error.HTTPError) as revision:
        urllib.request.urlopen(served.url.replace("/snapshot.json", "/revision"), timeout=5)
    assert revision.value.code == 401


@pytest.mark.usefixtures("db")
def test_serve_a_tampered_snapshot_is_refused_and_the_cache_kept(
    served: SnapshotServer, data_dir: Path, tmp_path: Path
) -> None:
    publish()
    cache = tmp_path / "cache.json"
    fetcher = SnapshotFetcher(served.url, token=SECRET, cache=cache)
    assert fetcher.fetch()
    good, kept = fetcher.snapshot, cache.read_bytes()
    _tamper(data_dir / "snapshot.json")
    assert not fetcher.fetch()
    assert fetcher.snapshot is good
    assert "does not match its revision" in (fetcher.last_error or "")
    assert cache.read_bytes() == kept  # the damaged one never reaches the cache

    # The control plane is down: a new fetcher (a restarted resolver) starts from the cache.
    served.shutdown()
    served.server_close()
    restarted = SnapshotFetcher(served.url, token=SECRET, cache=cache)
    assert restarted.from_cache and restarted.snapshot is not None
    assert restarted.snapshot.revision == good.revision  # type: ignore[union-attr]
    assert not restarted.fetch() and restarted.snapshot.revision == good.revision  # type: ignore[union-attr]
    assert SECRET not in (restarted.last_error or "") and restarted.last_error


def test_serve_token_file_digests_secrets_and_changes(tmp_path: Path) -> None:
    other = "another-secret-long-enough-0123"
    path = _token_file(tmp_path, SECRET, "", "# a comment", hashlib.sha256(b"x" * 20).hexdigest())
    tokens = TokenFile(path)
    assert tokens.accepts(f"Bearer {SECRET}") and tokens.accepts(f"bearer {'x' * 20}")
    assert not tokens.accepts(f"Bearer {other}") and not tokens.accepts(SECRET)
    assert not tokens.accepts(None) and not tokens.accepts(f"Basic {SECRET}")
    # The file is re-read when it changes: a token is withdrawn without a restart.
    path.write_text(f"{other}\n")
    assert tokens.accepts(f"Bearer {other}") and not tokens.accepts(f"Bearer {SECRET}")
    # Secrets in a file others can read are refused; digests alone may be readable.
    path.chmod(0o644)
    with pytest.raises(TokenFileError, match="readable by others"):
        TokenFile(path)
    assert not tokens.accepts(f"Bearer {other}")  # an unusable file accepts nobody
    path.write_text(hashlib.sha256(other.encode()).hexdigest() + "\n")
    assert TokenFile(path).accepts(f"Bearer {other}")
    with pytest.raises(TokenFileError, match=":1: a secret must be at least"):
        TokenFile(_token_file(tmp_path, "short"))
    with pytest.raises(TokenFileError, match="no token"):
        TokenFile(_token_file(tmp_path, "# nothing"))


def test_serve_refuses_to_bind_beyond_loopback_without_tokens(
    data_dir: Path, tmp_path: Path
) -> None:
    for host in ("0.0.0.0", "192.0.2.1", "::", "schoolgate.example"):
        with pytest.raises(ValueError, match="without --token-file: it holds student records"):
            SnapshotServer((host, 0), data_dir / "snapshot.json")
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1"):
        check_bind(host, None)  # loopback: allowed without tokens
    check_bind("0.0.0.0", TokenFile(_token_file(tmp_path, SECRET)))

    from schoolgate.cli import main

    refused = CliRunner().invoke(main, ["snapshot", "serve", "--host", "0.0.0.0", "--port", "0"])
    assert refused.exit_code == 1
    assert "refusing to serve the snapshot on 0.0.0.0 without --token-file" in refused.output
    unreadable = _token_file(tmp_path, SECRET)
    unreadable.chmod(0o604)
    refused = CliRunner().invoke(
        main, ["snapshot", "serve", "--host", "0.0.0.0", "--token-file", str(unreadable)]
    )
    assert refused.exit_code == 1 and "chmod 600" in refused.output
    assert SECRET not in refused.output


def test_the_fetcher_reads_its_token_from_an_owner_only_file(tmp_path: Path) -> None:
    path = _token_file(tmp_path, SECRET)
    assert read_token_file(path) == SECRET
    path.chmod(0o640)
    with pytest.raises(FollowError, match=r"mode 0640\); chmod 600") as loose:
        read_token_file(path)
    assert SECRET not in str(loose.value)
    path.write_text("\n")
    path.chmod(0o600)
    with pytest.raises(FollowError, match="empty"):
        read_token_file(path)


# ------------------------------------------------------------------ the API route


def _api(live_server: Any) -> str:
    return f"{live_server.url}/api/v1/snapshot"


def test_api_route_200_304_401_403_and_tampering(
    transactional_db: None, live_server: Any, data_dir: Path, tmp_path: Path
) -> None:
    _, secret = create("dns-filter", ["snapshot:read"], created_by="test")
    _, feed_only = create("address-feed", ["addresses:read"], created_by="test")
    cache = tmp_path / "cache.json"
    fetcher = SnapshotFetcher(_api(live_server), token=secret, cache=cache)
    assert not fetcher.fetch() and "HTTP 503" in (fetcher.last_error or "")  # nothing yet
    result = publish()
    assert fetcher.fetch(), fetcher.last_error
    assert fetcher.snapshot is not None and fetcher.snapshot.revision == result.revision
    assert fetcher.etag == f'"{result.revision}"'
    assert not fetcher.fetch() and fetcher.last_error is None  # 304
    assert cache.read_bytes() == (data_dir / "snapshot.json").read_bytes()

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(
            urllib.request.Request(
                _api(live_server),
                headers={"Authorization": f"Bearer {secret}", "If-None-Match": fetcher.etag},
            ),
            timeout=5,
        )
    assert answer.value.code == 304 and answer.value.headers["ETag"] == fetcher.etag

    bad = SnapshotFetcher(_api(live_server), token=secret + "x")
    assert not bad.fetch() and "HTTP 401" in (bad.last_error or "")
    assert secret not in (bad.last_error or "")
    assert not SnapshotFetcher(_api(live_server)).fetch()  # no token at all: 401 too
    scoped = SnapshotFetcher(_api(live_server), token=feed_only)
    assert not scoped.fetch() and "HTTP 403" in (scoped.last_error or "")

    good = fetcher.snapshot
    _tamper(data_dir / "snapshot.json")
    assert not fetcher.fetch()
    assert fetcher.snapshot is good and "does not match its revision" in (fetcher.last_error or "")

    # A restart while the control plane is unreachable starts from the cache file.
    down = f"http://127.0.0.1:{_free_port()}/api/v1/snapshot"
    restarted = SnapshotFetcher(down, token=secret, cache=cache)
    assert not restarted.fetch() and restarted.last_error
    assert restarted.snapshot is not None and restarted.snapshot.revision == result.revision
    assert Snapshot.from_bytes(cache.read_bytes()).revision == result.revision


def test_api_route_serves_the_file_as_published(
    transactional_db: None, live_server: Any, data_dir: Path
) -> None:
    """Bytes as published, JSON, no-cache; a person's session is refused like on every machine
    route (test_api_matrix.py has every caller)."""
    _, secret = create("dns-filter", ["snapshot:read"], created_by="test")
    publish()
    request = urllib.request.Request(
        _api(live_server), headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.read() == (data_dir / "snapshot.json").read_bytes()
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Cache-Control"] == "no-cache"


# ------------------------------------------------------------------ the resolver, end to end


class FollowingResolver:
    """The real resolver (schoolgate.enforce.dns) on its own event loop thread, following
    `url` with the token in `token_file`, answering dnspython on loopback."""

    def __init__(self, url: str, token_file: Path, work: Path) -> None:
        import asyncio

        from schoolgate.classify.domains.build import build_index
        from schoolgate.enforce.dns.service import Resolver, ResolverOptions
        from schoolgate.lists.model import Entry

        lists = work / "lists.idx"
        if not lists.exists():  # names in no category are then known to be harmless
            build_index([Entry("games.example", "games")], lists)
        options = ResolverOptions(
            listen=("127.0.0.1", 0),
            upstreams=[("127.0.0.1", _free_port())],  # allowed names just fail: no network
            snapshot_url=url,
            token_file=token_file,
            lists=lists,
            block_addresses=["192.0.2.99"],
            poll_interval=0.2,
            upstream_timeout=0.3,
            fetch_timeout=5.0,
            work_dir=work,
        )
        self.messages: list[str] = []
        self.resolver = Resolver(options, log=self.messages.append)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self.resolver.start(), self.loop).result(30)[1]

    def blocked(self, name: str = "www.example.org") -> str | None:
        """The Extended DNS Error's text when `name` is blocked for the student, else None."""
        import dns.edns
        import dns.message
        import dns.query

        query = dns.message.make_query(name, "A", use_edns=0)
        answer = dns.query.udp(query, "127.0.0.1", port=self.port, source="127.0.0.1", timeout=5)
        for option in answer.options:
            if isinstance(option, dns.edns.EDEOption):
                return option.text or ""
        return None

    def stop(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.resolver.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.mark.integration
def test_the_resolver_follows_the_api_and_blocks_after_a_suspension(
    transactional_db: None, live_server: Any, settings: Any, data_dir: Path, tmp_path: Path
) -> None:
    import time

    from django.contrib.auth.models import User
    from django.test import Client

    from schoolgate.control.agreements.services import sign
    from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district
    from schoolgate.control.console.publish import republish
    from schoolgate.control.networks.services import assign_address
    from schoolgate.control.people.models import Person

    from .console_fixtures import MD5, oracle

    settings.PASSWORD_HASHERS = MD5
    load_district(students=30, seed=4)
    accounts = {s.role: s for s in create_sign_ins()}
    principal = demo_people()["principal"]
    student = next(
        p
        for p in Person.objects.filter(role="student", active=True).order_by("sourced_id")
        if oracle("principal", principal, p)
    )
    # In good standing (agreement signed), and behind the address the queries come from.
    sign(student, typed_name=student.display_name, ip_address="127.0.0.1")
    assign_address("127.0.0.1", student)
    assert republish()
    _, secret = create("dns-filter", ["snapshot:read"], created_by="test")
    token_file = _token_file(tmp_path, secret)
    work = tmp_path / "dns"
    resolver = FollowingResolver(_api(live_server), token_file, work)
    try:
        assert resolver.resolver.snapshot is not None
        assert resolver.blocked() is None, resolver.messages

        client = Client()
        client.force_login(User.objects.get(username=accounts["principal"].username))
        reason = "Three-day suspension: shared a password"
        started = time.monotonic()
        suspended = client.post(
            "/api/v1/sanctions",
            {"person": student.sourced_id, "scope": "network", "days": 3, "reason": reason},
            content_type="application/json",
        )
        assert suspended.status_code == 201, suspended.content
        assert suspended.json()["published"]
        while (text := resolver.blocked()) is None:
            assert time.monotonic() - started < 30, resolver.messages
            time.sleep(0.1)
        print(f"suspension to blocked DNS answer: {time.monotonic() - started:.2f} s")
        assert "sanction" in text and reason in text, text
        assert (work / "snapshot-cache.json").exists()
    finally:
        resolver.stop()
    assert not any(secret in message for message in resolver.messages)

    # Restarted while the control plane is unreachable: it starts from the last good snapshot
    # in its work dir, so the suspension still holds, and says so without the token.
    down = f"http://127.0.0.1:{_free_port()}/api/v1/snapshot"
    restarted = FollowingResolver(down, token_file, work)
    try:
        text = restarted.blocked()
        assert text is not None and reason in text, restarted.messages
        assert any("starting from the last good snapshot" in m for m in restarted.messages)
    finally:
        restarted.stop()
    assert not any(secret in message for message in restarted.messages)


def test_api_route_keeps_serving_while_the_database_is_down(db: None, data_dir: Path) -> None:
    """The route reads the published file only; the token check falls back on the database's
    last word about a `snapshot:read` token. The outage is Django's own query hook refusing
    every query on this connection, as an unreachable server would."""
    from django.db import OperationalError, connection
    from django.test import Client

    from schoolgate.control.api.tokens import revoke

    publish()
    _, secret = create("dns-filter", ["snapshot:read", "addresses:read"], created_by="test")
    _, unseen = create("dns-new", ["snapshot:read"], created_by="test")
    _, retired = create("dns-old", ["snapshot:read"], created_by="test")

    def client(token: str) -> Client:
        return Client(raise_request_exception=False, headers={"authorization": f"Bearer {token}"})

    assert client(secret).get("/api/v1/snapshot").status_code == 200  # vouched for
    assert client(retired).get("/api/v1/snapshot").status_code == 200
    revoke("dns-old")
    assert client(retired).get("/api/v1/snapshot").status_code == 401  # forgotten at once

    def down(*args: object) -> None:
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(down):
        served = client(secret).get("/api/v1/snapshot")
        assert served.status_code == 200
        assert served.content == (data_dir / "snapshot.json").read_bytes()
        # Vouched for the snapshot only: the address feed's scope is not taken on trust.
        assert client(secret).get("/api/v1/addresses").status_code == 403
        assert client(unseen).get("/api/v1/snapshot").status_code == 500  # never vouched for
        assert client(retired).get("/api/v1/snapshot").status_code == 500  # revoked stays out
    assert client(unseen).get("/api/v1/snapshot").status_code == 200  # back up
