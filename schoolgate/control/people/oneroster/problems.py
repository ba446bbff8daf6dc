"""Problems found in a roster, each naming the file, the line and the column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_REPORTED = 200


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None  # 1-based line where the record starts; None for the whole file
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" {self.column}:" if self.column else ""
        return f"{where}:{column} {self.message}"


class RosterError(ValueError):
    """A roster that cannot be imported; nothing was stored. `problems` says where and why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_REPORTED]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"… and {more} more problems")
        super().__init__("\n".join(shown))
