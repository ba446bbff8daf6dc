"""The block page, served beside the running resolver: what was blocked, why, and a review form
that is recorded for staff and cannot be posted from another site."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import pytest
from dns_peers import Unbound
from dns_running import PACK, STAFF, STUDENT, InProcess

from schoolgate.enforce.blockpage.csrf import CsrfTokens
from schoolgate.enforce.dns.service import ResolverOptions
from schoolgate.spool import SpoolReader

pytestmark = pytest.mark.integration


@pytest.fixture
def running(
    upstream: Unbound, lists_file: Path, networks_file: Path, tmp_path: Path
) -> Iterator[InProcess]:
    resolver = InProcess(
        ResolverOptions(
            listen=("127.0.0.1", 0),
            upstreams=[("127.0.0.1", upstream.port)],
            pack=str(PACK),
            lists=lists_file,
            networks=networks_file,
            spool=tmp_path / "spool",
            blockpage=("127.0.0.1", 0),
            block_addresses=["127.0.0.1"],
        )
    )
    yield resolver
    resolver.stop()


def visit(
    running: InProcess,
    host: str,
    source: str = STUDENT,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    address = running.resolver.blockpage_address
    assert address is not None
    conn = http.client.HTTPConnection(address[0], address[1], timeout=5, source_address=(source, 0))
    conn.request(method, "/_schoolgate/review" if method == "POST" else "/some/page?x=1", body=body,
                 headers={"Host": host, **(headers or {})})  # fmt: skip
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, text


def resolve(running: InProcess, name: str, source: str = STUDENT) -> None:
    query = dns.message.make_query(name, "A")
    dns.query.udp(query, "127.0.0.1", port=running.port, source=source, timeout=5)


def _form(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type=hidden name=(\w+) value="([^"]*)">', page))


def test_the_page_names_the_site_category_rule_and_quotes_the_clause(running: InProcess) -> None:
    resolve(running, "www.games.test")
    status, page = visit(running, "www.games.test")
    assert status == 403
    assert "www.games.test" in page
    assert "games (lists: games)" in page
    assert "students-games" in page
    assert "Students may not play games, use chat rooms, or use proxies on the network." in page
    assert "No games, chat or proxies for students." in page  # the plain-words summary
    assert "d/filter#2" in page


def test_without_a_recent_decision_the_engine_is_asked_again(running: InProcess) -> None:
    status, page = visit(running, "www.adult.test:80")  # never resolved through us
    assert status == 403 and "Adult and harmful sites are blocked" in page


def test_a_name_that_is_not_blocked_says_so(running: InProcess) -> None:
    status, page = visit(running, "www.games.test", source=STAFF)
    assert status == 200 and "Nothing blocked here" in page


def test_values_are_escaped(running: InProcess) -> None:
    status, page = visit(running, "www.games.test", headers={"Host": "www.games.test"})
    assert status == 403 and "<script" not in page
    status, _ = visit(running, "<script>.games.test")
    assert status == 400


def test_a_review_request_is_recorded_for_staff(running: InProcess, tmp_path: Path) -> None:
    resolve(running, "www.games.test")
    _, page = visit(running, "www.games.test")
    form = _form(page)
    body = urllib.parse.urlencode({**form, "why": "Our class studies game design."})
    status, done = visit(running, "www.games.test", method="POST", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": "http://www.games.test",
    })  # fmt: skip
    assert status == 200 and "Your request was sent" in done
    running.run(running.resolver.spool.sync)  # type: ignore[union-attr]
    records = [e.record for e in SpoolReader(tmp_path / "spool").read()]
    review = next(r for r in records if r["kind"] == "review-request")
    assert review["name"] == "www.games.test" and review["rule"] == "students-games"
    assert review["clause"] == "d/filter#2" and review["why"] == "Our class studies game design."
    assert review["client"] == STUDENT


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"token": "0" * 64}, 403),
        ({"host": "www.chat.test"}, 403),
        ({}, 403),  # posted from another site (Origin below)
    ],
    ids=["forged-token", "other-host", "cross-origin"],
)
def test_a_forged_or_cross_site_review_is_refused(
    running: InProcess, change: dict[str, str], status: int
) -> None:
    _, page = visit(running, "www.games.test")
    form = {**_form(page), **change}
    origin = "http://evil.example" if not change else "http://www.games.test"
    code, _ = visit(running, "www.games.test", method="POST", body=urllib.parse.urlencode(form),
                    headers={"Origin": origin})  # fmt: skip
    assert code == status


def test_a_token_is_bound_to_client_and_host_and_expires() -> None:
    now = [7200.0]
    tokens = CsrfTokens(b"k" * 32, clock=lambda: now[0])
    token = tokens.issue("10.0.0.1", "a.test")
    assert tokens.check("10.0.0.1", "a.test", token)
    assert not tokens.check("10.0.0.2", "a.test", token)
    assert not tokens.check("10.0.0.1", "b.test", token)
    now[0] += 3600
    assert tokens.check("10.0.0.1", "a.test", token)  # the previous hour still counts
    now[0] += 3600
    assert not tokens.check("10.0.0.1", "a.test", token)


def test_oversized_and_odd_requests_get_4xx(running: InProcess) -> None:
    assert visit(running, "www.games.test", method="PUT")[0] == 405
    assert visit(running, "www.games.test", method="POST", body="x" * 5000)[0] == 413
    huge = {"X-Padding": "y" * 20_000}
    assert visit(running, "www.games.test", headers=huge)[0] == 400
