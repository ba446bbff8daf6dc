"""Differential: schoolgate and unbound with an RPZ zone built from the same list must block and
allow exactly the same names (listed names, names under them, parents and look-alikes)."""

from __future__ import annotations

import random
import tarfile
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest
from dns_peers import Unbound
from dns_running import InProcess, build_lists, write_networks

from schoolgate.enforce.dns.builtin import load_builtins
from schoolgate.enforce.dns.service import ResolverOptions

pytestmark = pytest.mark.integration

SAMPLE = 400


def _listed(shared: Path) -> dict[str, str]:
    """A seeded sample of real UT1 names (games, chat, vpn, doh), with their categories."""
    rng = random.Random(3)
    found: dict[str, str] = {}
    with tarfile.open(shared / "data" / "ut1" / "blacklists.tar.gz") as tar:
        for category in ("games", "chat", "vpn", "doh"):
            member = tar.extractfile(f"blacklists/{category}/domains")
            assert member is not None
            names = [
                line.strip().decode().lower()
                for line in member
                if line.strip() and all(c.isalnum() or c in "-." for c in line.strip().decode())
            ]
            for name in rng.sample(names, SAMPLE // 4):
                found.setdefault(name, category)
    return found


def _questions(listed: dict[str, str]) -> list[str]:
    rng = random.Random(4)
    names = sorted(listed)
    out = []
    for name in names:
        out += [name, f"www.{name}", f"a.b.{name}"]
        parent = name.split(".", 1)[1] if name.count(".") > 1 else None
        if parent and parent not in listed:
            out.append(parent)  # a listed name's parent is not blocked by it
        out.append(f"x{name}")  # a look-alike is not a subdomain
    out += [f"allowed{rng.randrange(10**6)}.example" for _ in range(100)]
    # names of schoolgate's own lists (SafeSearch, bypass signals) are policy, not the list
    builtins = load_builtins()
    return [q for q in out if builtins.categories(q) is None]


@pytest.mark.slow
def test_same_names_blocked_as_unbound_with_an_rpz_zone_from_the_same_list(
    shared_dir: Path, tmp_path: Path
) -> None:
    listed = _listed(shared_dir)
    questions = _questions(listed)
    # the upstream knows every question, so only the filter decides NXDOMAIN
    upstream = Unbound(
        tmp_path / "up",
        ["ready.test. 60 IN A 192.0.2.1"] + [f"{q}. 60 IN A 192.0.2.7" for q in set(questions)],
    )
    zone = tmp_path / "list.rpz"
    zone.write_text(
        "$TTL 60\n@ SOA localhost. root.localhost. 1 3600 600 86400 60\n@ NS localhost.\n"
        + "".join(f"{name} CNAME .\n*.{name} CNAME .\n" for name in listed)
    )
    rpz = Unbound(
        tmp_path / "rpz",
        [],
        extra=f'rpz:\n    name: "list.rpz"\n    zonefile: "{zone}"\n',
        forward_to=upstream.port,
    )
    networks = write_networks(tmp_path, "networks:\n  - {cidr: 127.0.0.0/8, roles: [student]}\n")
    ours = InProcess(
        ResolverOptions(
            listen=("127.0.0.1", 0),
            upstreams=[("127.0.0.1", upstream.port)],
            pack=str(Path(__file__).parents[1] / "fixtures" / "dns-pack.yaml"),
            lists=build_lists(tmp_path, listed),
            networks=networks,
            block_mode="nxdomain",
        )
    )
    try:
        differ = []
        blocked = 0
        for name in questions:
            query = dns.message.make_query(name, "A")
            theirs = dns.query.udp(query, "127.0.0.1", port=rpz.port, timeout=5).rcode()
            mine = dns.query.udp(query, "127.0.0.1", port=ours.port, timeout=5).rcode()
            blocked += mine == dns.rcode.NXDOMAIN
            if theirs != mine:
                differ.append((name, dns.rcode.to_text(theirs), dns.rcode.to_text(mine)))
        assert differ == []
        assert blocked == 3 * len(listed)  # the name and two names under it, for each
    finally:
        ours.stop()
        rpz.stop()
        upstream.stop()
