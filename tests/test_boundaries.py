"""The package boundaries in docs/architecture.md, checked on every import statement.

The pure core (engine, policy, classify, lists) never imports Django or network code; the data
plane (enforce, spool) never imports the control plane; the engine imports nothing of ours but
itself. One deliberate exception: `schoolgate.lists.update` downloads lists, so it may use urllib.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "schoolgate"

NETWORK = {"socket", "asyncio", "http", "urllib", "requests", "httpx", "aiohttp", "ssl", "smtplib"}
FRAMEWORKS = {"django", "rest_framework"}

RULES: dict[str, set[str]] = {
    "engine": NETWORK | FRAMEWORKS | {"schoolgate.policy", "schoolgate.classify", "schoolgate.lists",
                                      "schoolgate.enforce", "schoolgate.spool", "schoolgate.control",
                                      "pydantic", "yaml", "click"},
    "policy": NETWORK | FRAMEWORKS | {"schoolgate.enforce", "schoolgate.spool", "schoolgate.control"},
    "classify": NETWORK | FRAMEWORKS | {"schoolgate.enforce", "schoolgate.spool", "schoolgate.control"},
    "lists": NETWORK | FRAMEWORKS | {"schoolgate.enforce", "schoolgate.spool", "schoolgate.control"},
    "enforce": FRAMEWORKS | {"schoolgate.control"},
    "spool": FRAMEWORKS | {"schoolgate.control", "schoolgate.enforce"},
}  # fmt: skip
EXCEPTIONS = {("lists", "update.py"): {"urllib", "http", "ssl"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _violations(imported: set[str], forbidden: set[str]) -> list[str]:
    return sorted(
        name for name in imported for bad in forbidden if name == bad or name.startswith(bad + ".")
    )


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_respects_its_boundary(package: str) -> None:
    root = PACKAGE / package
    if not root.is_dir():
        pytest.skip(f"schoolgate.{package} does not exist yet")
    problems = []
    for path in sorted(root.rglob("*.py")):
        allowed = EXCEPTIONS.get((package, path.name), set())
        bad = [
            v for v in _violations(_imports(path), RULES[package]) if v.split(".")[0] not in allowed
        ]
        if bad:
            problems.append(f"{path.relative_to(PACKAGE.parent)}: {', '.join(bad)}")
    assert not problems, "imports across a boundary:\n" + "\n".join(problems)


def test_the_check_can_fail() -> None:
    assert _violations({"django.db", "json"}, FRAMEWORKS) == ["django.db"]
    assert _violations({"schoolgate.control.people"}, {"schoolgate.control"})
