from __future__ import annotations

from pathlib import Path

import pytest

from schoolgate.engine.snapshot import Snapshot
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack

MINIMAL = Path(__file__).parents[1] / "policy" / "fixtures" / "good" / "minimal.yaml"


@pytest.fixture(scope="session")
def minimal() -> Snapshot:
    return compile_pack(load_pack(MINIMAL).pack)
