"""Profanity, slurs and insults from the shipped lexicon, obfuscated spellings included."""

from __future__ import annotations

from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.lexicon import Hit, load

_ENTITY = {"slur": "SLUR", "strong": "PROFANITY", "mild": "PROFANITY", "insult": "INSULT"}
_SCORE = {"slur": 0.95, "strong": 0.9, "mild": 0.6, "insult": 0.6}


def lexicon_finding(hit: Hit, detector: str, entity: str, base: float) -> Finding:
    """Score a lexicon hit: ambiguous words count less unless someone disguised them."""
    disguised = hit.how != "plain"
    score = base - 0.3 if hit.entry.ambiguous and not disguised else base
    why = f"{hit.entry.severity} word '{hit.entry.word}'"
    if disguised:
        why += f" written with {hit.how}"
    if hit.entry.ambiguous:
        why += " (the word also has an innocent meaning)"
    pattern = f"lexicon:{hit.entry.severity}" + ("" if not disguised else ":obfuscated")
    return Finding(entity, hit.start, hit.end, round(score, 2), detector, pattern, why)


class ProfanityDetector:
    name = "profanity"
    entities = ("PROFANITY", "SLUR", "INSULT")

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        return [
            lexicon_finding(h, self.name, _ENTITY[h.entry.severity], _SCORE[h.entry.severity])
            for h in load("profanity").find(text)
        ]
