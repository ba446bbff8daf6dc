"""E-mail addresses, by the practical subset of RFC 5322 people actually type."""

from __future__ import annotations

import re

from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding

_EMAIL = re.compile(
    r"(?<![\w.+-])"
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
    r"(?![\w-]|\.[A-Za-z0-9])"
)


class EmailDetector:
    name = "email_address"
    entities = ("EMAIL_ADDRESS",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        if "@" not in text:
            return []
        return [
            Finding(
                "EMAIL_ADDRESS",
                m.start(),
                m.end(),
                0.95 if ".." not in m.group() else 0.6,
                self.name,
                "rfc5322_common",
                "a mailbox name, '@' and a domain with a top-level label",
            )
            for m in _EMAIL.finditer(text)
        ]
