"""One spelling per name, so a list entry and a DNS query for the same name always meet.

Lists are written by hand and by tools in every spelling: upper case, a trailing root dot, a
leading dot (squidGuard), Unicode (U-labels) or Punycode (A-labels). Queries arrive on the wire as
A-labels, so every listed name becomes lower-case A-labels without the root dot, the way a browser
turns what a user types into a query (UTS #46, non-transitional: `faß.de` is `xn--fa-hia.de`, not
`fass.de`). Underscores are accepted because real names use them (`_dmarc`, UT1 has thousands).
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

import idna

MAX_NAME = 253
MAX_LABEL = 63

_ASCII_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*")
_ASCII_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")

# Reasons, shared with the importers and the tests so wording stays in one place.
R_EMPTY = "empty name"
R_TOO_LONG = f"name longer than {MAX_NAME} characters"
R_LABEL_LONG = f"label longer than {MAX_LABEL} characters"
R_EMPTY_LABEL = "empty label (two dots in a row)"
R_CHARS = "character not allowed in a domain name"
R_IP = "IP address, not a domain name"
R_PUNYCODE = "invalid A-label (bad Punycode)"
R_IDNA = "not a valid internationalised name"
R_WILDCARD = "'*' is only allowed as a whole first label ('*.example.com')"

N_TRAILING_DOT = "trailing dot removed"
N_LEADING_DOT = "leading dot removed"
N_CASE = "upper case lowered"
N_IDNA = "Unicode name converted to A-labels"


class BadName(ValueError):
    """A name that cannot be listed; `skipped` marks a well-formed non-name (an IP address)."""

    def __init__(self, reason: str, *, skipped: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.skipped = skipped


def normalise_name(text: str, notes: Counter[str] | None = None) -> str:
    """Return `text` as lower-case A-labels without a trailing dot, or raise `BadName`.

    `notes` counts the spellings that were fixed, for the import summary.
    """
    name = text.strip()
    if name.endswith("."):
        name = name[:-1]
        if notes is not None:
            notes[N_TRAILING_DOT] += 1
    if name.startswith(".") and len(name) > 1:
        name = name[1:]
        if notes is not None:
            notes[N_LEADING_DOT] += 1
    if not name:
        raise BadName(R_EMPTY)
    if name.isascii():
        lowered = name.lower()
        if lowered != name and notes is not None:
            notes[N_CASE] += 1
        name = lowered
    else:
        name = _to_alabels(name)
        if notes is not None:
            notes[N_IDNA] += 1
    _check(name)
    return name


def _check(name: str) -> None:
    if len(name) > MAX_NAME:
        raise BadName(R_TOO_LONG)
    if _ASCII_NAME.fullmatch(name) is None:
        raise BadName(_why_not(name))
    if name[-1].isdigit() and _IPV4.fullmatch(name):
        raise BadName(R_IP, skipped=True)
    if "xn--" in name:
        for label in name.split("."):
            if label.startswith("xn--"):
                _check_alabel(label)


def _why_not(name: str) -> str:
    if ":" in name:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return R_CHARS
        raise BadName(R_IP, skipped=True)
    if "*" in name:
        return R_WILDCARD
    for label in name.split("."):
        if not label:
            return R_EMPTY_LABEL
        if len(label) > MAX_LABEL:
            return R_LABEL_LONG
    return R_CHARS


def _check_alabel(label: str) -> None:
    """Reject A-labels no client produces: bad Punycode, or decoding to an unmapped label."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
        mapped = idna.uts46_remap(decoded, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        raise BadName(R_PUNYCODE) from None
    if not decoded or decoded.isascii() or mapped != decoded:
        raise BadName(R_PUNYCODE)


def _to_alabels(name: str) -> str:
    """UTS #46 mapping (case folding, full-width dots, …) then Punycode for each non-ASCII label.

    Emoji and other symbols that IDNA 2008 forbids but browsers still resolve (`xn--ls8h.la`) are
    kept: over-matching a name nobody can type costs nothing, missing one that resolves does.
    """
    try:
        mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise BadName(f"{R_IDNA}: {exc}") from None
    labels = []
    for label in mapped.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            encoded = "xn--" + label.encode("punycode").decode("ascii")
        except UnicodeError as exc:
            raise BadName(f"{R_IDNA}: {exc}") from None
        if len(encoded) > MAX_LABEL:
            raise BadName(R_LABEL_LONG)
        labels.append(encoded)
    return ".".join(labels)


def is_label(text: str) -> bool:
    """True for one lower-case ASCII label (used for category names and RPZ origins)."""
    return _ASCII_LABEL.fullmatch(text) is not None
