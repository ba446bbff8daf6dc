"""Every deliberately broken pack is refused with its error at the marked file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schoolgate.policy.loader import load_pack
from schoolgate.policy.problems import PackError

BROKEN = Path(__file__).parent / "fixtures" / "broken"
MARK = re.compile(rb"# <-- error: ([a-z-]+(?: [a-z]+)?)")


def _marked(path: Path) -> tuple[int, str]:
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        found = MARK.search(line)
        if found:
            return number, found.group(1).decode()
    raise AssertionError(f"{path.name} has no '# <-- error:' mark")


def test_at_least_ten_kinds_of_broken_pack() -> None:
    kinds = {_marked(p)[1] for p in BROKEN.glob("*.yaml")}
    assert len(kinds) >= 10, kinds


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_pack_is_refused_at_the_marked_line(path: Path) -> None:
    line, code = _marked(path)
    with pytest.raises(PackError) as caught:
        load_pack(path)
    problems = caught.value.problems
    expected_code = code.split()[0]
    hits = [p for p in problems if p.position.line == line and p.code.startswith(expected_code)]
    assert hits, f"expected {code} at line {line}, got:\n{caught.value}"
    assert all(p.position.file == str(path) for p in hits)
    assert str(hits[0]).startswith(f"{path}:{line}:")


def test_good_fixture_loads() -> None:
    loaded = load_pack(Path(__file__).parent / "fixtures" / "good" / "minimal.yaml")
    assert loaded.pack.metadata.id == "minimal"
