"""Numbered text lines from list files, with undecodable lines reported instead of fatal.

Every parser takes `(line_number, text)` pairs rather than a file, so the same parser reads a file
on disk, a member of a tarball, or a test's literal, and a fuzzer can feed it anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from schoolgate.lists.model import ImportReport

Lines = Iterable[tuple[int, str]]

R_NOT_UTF8 = "not UTF-8 text"
R_NUL = "NUL byte in line (binary file?)"


def decode_lines(
    stream: Iterable[bytes], source: str, report: ImportReport
) -> Iterator[tuple[int, str]]:
    """Decode each line as UTF-8 (a BOM on the first line is dropped); report and skip the rest."""
    for number, raw in enumerate(stream, 1):
        report.lines += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            report.bad(source, number, R_NOT_UTF8, raw.decode("latin-1").rstrip("\r\n"))
            continue
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if "\x00" in text:
            report.bad(source, number, R_NUL, text.replace("\x00", "\\0").rstrip("\r\n"))
            continue
        yield number, text.rstrip("\r\n")


def read_lines(
    path: Path, report: ImportReport, source: str | None = None
) -> Iterator[tuple[int, str]]:
    """Numbered lines of a file on disk, closed when the caller stops iterating."""
    with path.open("rb") as stream:
        yield from decode_lines(stream, source or str(path), report)


def text_lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines of a string (tests, fuzzing, small inline lists)."""
    return list(enumerate(text.splitlines(), 1))


def stream_lines(stream: IO[bytes], source: str, report: ImportReport) -> Iterator[tuple[int, str]]:
    """Numbered lines of an open binary stream, e.g. a tarball member."""
    return decode_lines(stream, source, report)
