"""The resolver run as a new district would: the command, the UT1 tarball as published, a
networks file with a student and a staff subnet, and a real upstream."""

from __future__ import annotations

from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest
from dns_peers import Unbound
from dns_running import PACK, STAFF, STUDENT, Subprocess, write_networks

from schoolgate.spool import SpoolReader

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# real UT1 names and the category they are listed under in the copy in ../shared
NAMES = {
    "www.roblox.com": "games",
    "discord.com": "chat",
    "123proxysites.science": "redirector",
    "nordvpn.com": "vpn",
    "dns.google": "doh",
    "10putes.com": "mixed_adult",
    "www.wikipedia.org": None,
}


def test_standalone_with_ut1_blocks_per_group_and_logs_everything(
    shared_dir: Path, tmp_path: Path
) -> None:
    upstream = Unbound(
        tmp_path / "up",
        ["ready.test. 60 IN A 192.0.2.1"] + [f"{n}. 60 IN A 192.0.2.7" for n in NAMES],
    )
    networks = write_networks(tmp_path)
    command = Subprocess(
        [
            "--upstream", f"127.0.0.1:{upstream.port}", "--pack", str(PACK),
            "--lists", str(shared_dir / "data" / "ut1" / "blacklists.tar.gz"),
            "--networks", str(networks), "--spool", str(tmp_path / "spool"),
            "--blockpage", "127.0.0.1:0", "--block-address", "192.0.2.99",
        ],
        tmp_path,
    )  # fmt: skip
    try:

        def blocked(name: str, source: str) -> bool:
            answer = dns.query.udp(
                dns.message.make_query(name, "A"), "127.0.0.1", port=command.port, source=source,
                timeout=5,
            )  # fmt: skip
            return [r.address for rrset in answer.answer for r in rrset] == ["192.0.2.99"]

        student = {name: blocked(name, STUDENT) for name in NAMES}
        staff = {name: blocked(name, STAFF) for name in NAMES}
        canary = dns.query.udp(
            dns.message.make_query("use-application-dns.net", "A"), "127.0.0.1",
            port=command.port, source=STAFF, timeout=5,
        )  # fmt: skip
    finally:
        assert command.stop() == 0
        upstream.stop()
    assert student == {name: category is not None for name, category in NAMES.items()}
    assert staff == {name: category == "mixed_adult" for name, category in NAMES.items()}
    assert canary.rcode() == dns.rcode.NXDOMAIN
    records = [e.record for e in SpoolReader(tmp_path / "spool").read(1000)]
    records = [r for r in records if r["name"] != "ready.test"]  # the start-up probe
    assert len(records) == 2 * len(NAMES) + 1
    for record in records:
        category = NAMES.get(record["name"])
        if category is not None:
            assert category in record["categories"]
