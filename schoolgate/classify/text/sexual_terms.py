"""Sexual words and requests ("send nudes") from the shipped lexicon, obfuscated spellings included.

Health-class words are marked ambiguous in the lexicon and score low alone; whether a message is
sexual content is the trained ``sexual`` label's call, which reads the whole message.
"""

from __future__ import annotations

from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.lexicon import load
from schoolgate.classify.text.profanity import lexicon_finding


class SexualTermsDetector:
    name = "sexual_terms"
    entities = ("SEXUAL_TERM",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        return [
            lexicon_finding(h, self.name, "SEXUAL_TERM", 0.85) for h in load("sexual").find(text)
        ]
