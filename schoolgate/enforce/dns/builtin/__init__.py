"""schoolgate's built-in lists, shipped as data: `schoolgate-bypass` and `schoolgate-safesearch`.

They are list categories like UT1's, merged into the categories the engine sees for a name, so
whether a district blocks the Firefox canary or enforces SafeSearch is decided by pack rules, and
cited like every other rule. What the resolver adds is only the DNS: where a SafeSearch name
points (its CNAME target for the strict or moderate setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

HERE: Final = Path(__file__).parent
BYPASS: Final = "schoolgate-bypass"
SAFESEARCH: Final = "schoolgate-safesearch"
MODES: Final = ("strict", "moderate")


@dataclass(frozen=True, slots=True)
class Builtins:
    categories_by_name: dict[str, frozenset[str]]
    targets: dict[str, dict[str, str]]  # name -> mode -> CNAME target

    def categories(self, name: str) -> frozenset[str] | None:
        return self.categories_by_name.get(name)

    def safesearch_target(self, name: str, mode: str) -> str | None:
        by_mode = self.targets.get(name)
        return by_mode.get(mode) if by_mode else None


def _lines(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip().lower()
        if text:
            out.append(text)
    return out


def load_builtins() -> Builtins:
    names: dict[str, set[str]] = {}
    for name in _lines(HERE / "bypass.txt"):
        names.setdefault(name, set()).add(BYPASS)
    services = yaml.safe_load((HERE / "safesearch.yaml").read_text(encoding="utf-8"))
    targets: dict[str, dict[str, str]] = {}
    for service, spec in services.items():
        listed = list(spec["names"])
        if service == "google":
            for domain in _lines(HERE / "google-domains.txt"):
                listed += [domain, f"www.{domain}"]
        for name in listed:
            names.setdefault(name, set()).add(SAFESEARCH)
            targets[name] = {mode: str(spec[mode]) for mode in MODES}
    return Builtins({n: frozenset(c) for n, c in names.items()}, targets)
