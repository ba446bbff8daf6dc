"""CSV cells a spreadsheet will not run: the one job of this module, kept pure and tested.

A cell that starts with =, +, -, @ (or a tab or carriage return, which some spreadsheets strip
before looking) is read as a formula by Excel, LibreOffice and Sheets; a domain name or a rule
id from the log could be crafted to start with one. Such a cell gets a leading apostrophe, the
OWASP-recommended neutraliser, which spreadsheets show as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

DANGEROUS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(v) for v in values]


__all__ = ["DANGEROUS", "safe_cell", "safe_row"]
