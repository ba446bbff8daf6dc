"""Whether text from a request can be looked up in the database at all.

PostgreSQL's text columns cannot hold a NUL byte: a query that compares one with a NUL fails
with a DataError (a 500), where SQLite quietly matches nothing. No id, name or domain stored here
contains NUL, so a value with one matches no row; callers answer as for any other unknown value
(404, an empty list) without asking the database. One helper, for the console and the API alike.
"""

from __future__ import annotations

NUL = "\x00"


def storable(value: str) -> bool:
    """False for text no stored value can equal or contain (it has a NUL byte)."""
    return NUL not in value
