"""The block page's tests run the real resolver beside it; reuse the resolver's test helpers."""

from __future__ import annotations

import sys
from pathlib import Path

DNS_TESTS = Path(__file__).parents[1] / "dns"
sys.path.insert(0, str(DNS_TESTS))

from dns_fixtures import lists_file, networks_file, upstream  # noqa: E402,F401  (fixtures)
