"""Fixtures for the resolver's tests: lists, networks, a real unbound upstream."""

from __future__ import annotations

import sys
from pathlib import Path

# The helper modules beside the tests (dns_peers, dns_running, dns_fixtures) are imported by name.
sys.path.insert(0, str(Path(__file__).parent))

from dns_fixtures import lists_file, networks_file, upstream  # noqa: F401
