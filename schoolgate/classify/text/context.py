"""What a detector may know beyond the text: the district's roster and student-id formats.

Both come from the policy pack or the district's SIS export; detectors never read files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schoolgate.classify.text.errors import ContextError


@dataclass(frozen=True, slots=True)
class StudentIdPattern:
    """A district's student-id format, e.g. ``[1-9]\\d{6}`` for seven-digit numbers.

    ``requires_context`` keeps a generic number format from flagging every seven-digit number:
    then the id must sit near one of ``context`` words ("student id", "lunch number", …).
    """

    name: str
    regex: str
    context: tuple[str, ...] = ("student id", "student number", "student #", "id number", "id#")
    requires_context: bool = False
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            compiled = re.compile(rf"(?<![\w-])(?:{self.regex})(?![\w-])")
        except re.error as exc:
            raise ContextError(f"student-id pattern {self.name!r}: bad regex: {exc}") from exc
        if compiled.match(""):
            raise ContextError(f"student-id pattern {self.name!r} matches the empty string")
        object.__setattr__(self, "compiled", compiled)


_NAME_PART = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Roster:
    """Students' names, indexed for the full-name detector.

    ``full_names`` maps (first, last) in lower case to the number of roster entries with that
    name; last names may have several words ("de la cruz").
    """

    full_names: frozenset[tuple[str, str]]
    first_names: frozenset[str]
    max_last_words: int

    @classmethod
    def from_names(cls, names: list[str] | tuple[str, ...]) -> Roster:
        """Build from "First Last" or "Last, First" strings (middle names are ignored)."""
        pairs: set[tuple[str, str]] = set()
        for i, raw in enumerate(names):
            name = raw.strip()
            if not name:
                continue
            if "," in name:
                last_part, _, first_part = name.partition(",")
                firsts = _NAME_PART.findall(first_part)
                lasts = _NAME_PART.findall(last_part)
            else:
                parts = _NAME_PART.findall(name)
                firsts, lasts = parts[:1], parts[1:]
                # Drop middle names, but keep lower-case particles: "Maria de la Cruz".
                while len(lasts) > 1 and not lasts[0][:1].islower():
                    lasts = lasts[1:]
            if not firsts or not lasts:
                raise ContextError(f"roster entry {i + 1}: need a first and a last name")
            pairs.add((firsts[0].casefold(), " ".join(p.casefold() for p in lasts)))
        if len(pairs) == 0:
            return cls(frozenset(), frozenset(), 0)
        return cls(
            frozenset(pairs),
            frozenset(p[0] for p in pairs),
            max(len(p[1].split()) for p in pairs),
        )


@dataclass(frozen=True, slots=True)
class ScanContext:
    roster: Roster | None = None
    student_id_patterns: tuple[StudentIdPattern, ...] = ()


EMPTY_CONTEXT = ScanContext()
