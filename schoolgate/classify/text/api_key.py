"""API keys, access tokens and private keys pasted into messages.

Vendor formats with fixed prefixes are near certain. A generic ``token = …`` assignment only
counts when the value looks random (enough length and Shannon entropy), so ``token = none``
and ``secret = "change-me"`` are not findings.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from schoolgate.classify.text.base import MAX_CANDIDATES, MAX_FINDINGS, capped
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import has_word, lowered

_VENDOR_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("aws_access_key", r"(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}", "an AWS access key id"),
    ("github_token", r"gh[pousr]_[A-Za-z0-9]{36,255}", "a GitHub token"),
    ("github_pat", r"github_pat_[A-Za-z0-9_]{22,255}", "a GitHub fine-grained token"),
    ("gitlab_token", r"glpat-[A-Za-z0-9_-]{20,}", "a GitLab personal access token"),
    ("slack_token", r"xox[abposr]-[A-Za-z0-9-]{10,}", "a Slack token"),
    ("google_api_key", r"AIza[0-9A-Za-z_-]{35}", "a Google API key"),
    ("stripe_key", r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}", "a Stripe secret key"),
    ("openai_key", r"sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{32,}", "an OpenAI-style secret key"),
    ("twilio_key", r"SK[0-9a-f]{32}", "a Twilio API key"),
    ("sendgrid_key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", "a SendGrid API key"),
    (
        "jwt",
        r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        "a signed JSON Web Token (a session credential)",
    ),
)
# One pass over the text for every vendor format: a named group per vendor.
_VENDOR = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    + "|".join(f"(?P<{name}>{rx})" for name, rx, _ in _VENDOR_FORMATS)
    + r")(?![A-Za-z0-9_-])"
)
_WHY = {name: why for name, _, why in _VENDOR_FORMATS}
_PREFIXES = (
    "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "xox", "AIza", "_live_", "_test_", "sk-", "SG.", "eyJ", "-----BEGIN",
)  # fmt: skip
_ASSIGN_WORDS = ("key", "secret", "token", "bearer")
_ASSIGNS = re.compile(r"[:=]|\bis\b|\s[A-Za-z0-9_\-./+]{16}")
_ASSIGN_WORD_SET = frozenset({"key", "secret", "token", "bearer", "apikey", "secretkey"})
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]{0,8000}?-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----)?"
)
_ASSIGNED = re.compile(
    r"(?<![\w-])(?:api[_ -]?key|apikey|api[_ -]?secret|secret[_ -]?key|client[_ -]?secret|"
    r"access[_ -]?token|auth[_ -]?token|bearer|token|secret|private[_ -]?key)"
    r"[\"']?[ \t]*(?:[:=]|=>|is)?[ \t]*[\"']?(?P<value>[A-Za-z0-9_\-./+=]{16,200})",
    re.IGNORECASE,
)


def shannon_entropy(value: str) -> float:
    """Bits per character; random base64 is near 6, English words near 3."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


class ApiKeyDetector:
    name = "api_key"
    entities = ("API_KEY",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        if any(map(text.__contains__, _PREFIXES)):  # C-level substring tests, no frames
            self._vendor(text, found)
        if has_word(text, _ASSIGN_WORD_SET):
            self._assigned(text, found)
        return found

    def _vendor(self, text: str, found: list[Finding]) -> None:
        for m in capped(_VENDOR.finditer(text)):
            if len(found) >= MAX_FINDINGS:
                break
            name = m.lastgroup or "vendor"
            found.append(Finding("API_KEY", m.start(), m.end(), 0.95, self.name, name, _WHY[name]))
        for m in capped(_PRIVATE_KEY.finditer(text)):
            found.append(
                Finding(
                    "API_KEY",
                    m.start(),
                    m.end(),
                    0.99,
                    self.name,
                    "private_key_block",
                    "a PEM private key block",
                )
            )

    def _assigned(self, text: str, found: list[Finding]) -> None:
        """``token = …`` assignments, searched only in windows around the keywords."""
        low = lowered(text)
        spans: set[tuple[int, int]] = set()
        tried = 0
        for word in _ASSIGN_WORDS:
            at = low.find(word)
            while at != -1 and tried < MAX_CANDIDATES and len(found) < MAX_FINDINGS:
                tried += 1
                if not _ASSIGNS.search(low, at + len(word), at + len(word) + 12):
                    at = low.find(word, at + len(word))
                    continue  # "the key to", "token economy": nothing is assigned
                # the window starts early enough for "client_secret" and "api-key" spellings
                for m in _ASSIGNED.finditer(text, max(0, at - 16), min(len(text), at + 240)):
                    if m.span("value") in spans:
                        continue
                    spans.add(m.span("value"))
                    value = m.group("value")
                    if shannon_entropy(value) < 3.5 or not any(c.isdigit() for c in value):
                        continue
                    start, end = m.span("value")
                    if any(f.start <= start < f.end for f in found):
                        continue
                    found.append(
                        Finding(
                            "API_KEY",
                            start,
                            end,
                            0.8,
                            self.name,
                            "assigned_high_entropy",
                            "a random-looking value assigned to 'api_key', 'token' or 'secret'",
                        )
                    )
                at = low.find(word, at + len(word))
