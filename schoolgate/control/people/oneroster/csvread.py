"""Reading one OneRoster CSV file: encoding, CSV syntax and the exact header.

Pure and total: any bytes either give a table or raise RosterError naming the line — never an
uncaught exception (a Hypothesis test feeds it garbage to keep it that way).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from schoolgate.control.people.oneroster.problems import Problem, RosterError

BOM = b"\xef\xbb\xbf"
EXTENSION_PREFIX = "metadata."


@dataclass(frozen=True, slots=True)
class Row:
    """One record: the line it starts on and its values by column, stripped of spaces."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    header: tuple[str, ...]
    rows: list[Row]


def decode(file: str, data: bytes) -> str:
    """UTF-8, with or without a byte-order mark; anything else is refused with its position."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError([Problem(file, None, "is UTF-16; export the roster as UTF-8")])
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
        raise RosterError(
            [Problem(file, line, f"is not UTF-8: bytes {bad} at byte {exc.start}")]
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise RosterError([Problem(file, line, "contains a NUL character (not a text file?)")])
    return text


def check_header(file: str, found: Sequence[str], expected: Sequence[str]) -> list[Problem]:
    standard = list(found[: len(expected)])
    extra = list(found[len(expected) :])
    problems: list[Problem] = []
    if standard != list(expected):
        missing = [c for c in expected if c not in found]
        unexpected = [c for c in found if c not in expected and not c.startswith(EXTENSION_PREFIX)]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if unexpected:
            detail.append(f"unexpected {', '.join(unexpected)}")
        if not detail:
            first = next(
                i for i, (a, b) in enumerate(zip(standard, expected, strict=False)) if a != b
            )
            detail.append(
                f"column {first + 1} is {standard[first]!r} where {expected[first]!r} belongs"
            )
        problems.append(
            Problem(
                file,
                1,
                f"header does not match: {'; '.join(detail)} (expected {','.join(expected)})",
            )
        )
    bad_extra = [c for c in extra if not c.startswith(EXTENSION_PREFIX)]
    if bad_extra and not problems:
        problems.append(
            Problem(
                file,
                1,
                f"unexpected columns after the standard ones: {', '.join(bad_extra)} "
                f"(extension columns start with {EXTENSION_PREFIX!r})",
            )
        )
    if len(set(found)) != len(found):
        dupes = sorted({c for c in found if list(found).count(c) > 1})
        problems.append(Problem(file, 1, f"columns named twice: {', '.join(dupes)}"))
    return problems


def read_table(file: str, data: bytes, expected: Sequence[str], limit: int = 200) -> Table:
    """Parse `data` as the OneRoster file `file` whose standard columns are `expected`."""
    text = decode(file, data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise RosterError([Problem(file, 1, f"CSV syntax: {exc}")]) from None
    if not header:
        raise RosterError([Problem(file, None, "is empty: no header line")])
    header = [h.strip() for h in header]
    problems += check_header(file, header, expected)
    if problems:
        raise RosterError(problems)
    width = len(header)
    rows: list[Row] = []
    start = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(file, start, f"CSV syntax: {exc}"))
            break
        line, start = start, reader.line_num + 1
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # blank line
        if len(fields) != width:
            problems.append(
                Problem(file, line, f"has {len(fields)} fields; the header has {width}")
            )
            if len(problems) >= limit:
                break
            continue
        rows.append(Row(line, dict(zip(header, [f.strip() for f in fields], strict=True))))
    if problems:
        raise RosterError(problems)
    return Table(file, tuple(header), rows)
