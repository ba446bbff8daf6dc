"""E-mail addresses, by the practical subset of RFC 5322 people actually type."""

from __future__ import annotations

import re

from schoolgate.classify.text.base import MAX_CANDIDATES, MAX_FINDINGS
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding

_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}"
    r"(?![\w-]|\.[A-Za-z0-9])"
)


def _mailbox_start(text: str, at: int) -> int:
    """Where the mailbox name before ``at`` begins (at most 64 characters back), or -1."""
    start = at
    while start > 0 and at - start < 64 and text[start - 1] in _LOCAL_CHARS:
        start -= 1
    if start > 0 and text[start - 1] in _LOCAL_CHARS:
        return -1  # longer than 64: not a mailbox name
    while start < at and not text[start].isalnum():
        start += 1  # names start with a letter or digit
    if start == at or text[at - 1] == ".":
        return -1
    return start


class EmailDetector:
    name = "email_address"
    entities = ("EMAIL_ADDRESS",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        at = text.find("@")
        tried = 0
        while at != -1 and len(found) < MAX_FINDINGS and tried < MAX_CANDIDATES:
            tried += 1
            start = _mailbox_start(text, at)
            domain = _DOMAIN.match(text, at + 1) if start != -1 else None
            if domain is not None:
                local = text[start:at]
                found.append(
                    Finding(
                        "EMAIL_ADDRESS",
                        start,
                        domain.end(),
                        0.95 if ".." not in local else 0.6,
                        self.name,
                        "rfc5322_common",
                        "a mailbox name, '@' and a domain with a top-level label",
                    )
                )
                at = text.find("@", domain.end())
            else:
                at = text.find("@", at + 1)
        return found
