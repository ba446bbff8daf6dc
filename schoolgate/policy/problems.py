"""Problems found in a pack, each pinned to file:line:column with a hint how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    position: Position
    message: str
    hint: str | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        text = f"{self.position}: error: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class PackError(Exception):
    """A pack that cannot be used. It carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.position)
        super().__init__("\n".join(str(p) for p in self.problems))
