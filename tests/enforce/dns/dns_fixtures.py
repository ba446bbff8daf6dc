"""The resolver tests' shared fixtures (a module, so the block page's tests can use them too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dns_peers import Unbound
from dns_running import build_lists, write_networks

# What the test upstream knows: every test name that should resolve when allowed.
UPSTREAM_DATA = [
    "ready.test. 300 IN A 192.0.2.1",
    "www.allowed.test. 300 IN A 192.0.2.10",
    "www.allowed.test. 300 IN AAAA 2001:db8::10",
    "www.games.test. 300 IN A 192.0.2.20",
    "www.chat.test. 300 IN A 192.0.2.21",
    "www.proxy.test. 300 IN A 192.0.2.22",
    "www.vpn.test. 300 IN A 192.0.2.23",
    "www.doh.test. 300 IN A 192.0.2.24",
    "www.adult.test. 300 IN A 192.0.2.25",
    "www.malware.test. 300 IN A 192.0.2.26",
    "www.shop.test. 300 IN A 192.0.2.27",
    "learn.test. 300 IN A 192.0.2.28",
    "short.test. 5 IN A 192.0.2.29",
    "www.google.com. 300 IN A 142.250.1.1",
    "www.google.co.uk. 300 IN A 142.250.1.2",
    "maps.google.com. 300 IN A 142.250.1.3",
    "forcesafesearch.google.com. 300 IN A 216.239.38.120",
    "www.youtube.com. 300 IN A 142.250.1.4",
    "restrict.youtube.com. 300 IN A 216.239.38.119",
    "restrictmoderate.youtube.com. 300 IN A 216.239.38.118",
    "www.bing.com. 300 IN A 13.107.21.200",
    "strict.bing.com. 300 IN A 204.79.197.220",
    "duckduckgo.com. 300 IN A 52.1.1.1",
    "safe.duckduckgo.com. 300 IN A 52.1.1.2",
    "mask.icloud.com. 300 IN A 17.1.1.1",
    "use-application-dns.net. 300 IN A 192.0.2.50",
    *[f'big.test. 300 IN TXT "{"x" * 200} {i}"' for i in range(12)],
]


@pytest.fixture(scope="session")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Unbound]:
    server = Unbound(tmp_path_factory.mktemp("unbound"), UPSTREAM_DATA)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lists_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lists(tmp_path_factory.mktemp("lists"))


@pytest.fixture
def networks_file(tmp_path: Path) -> Path:
    return write_networks(tmp_path)
