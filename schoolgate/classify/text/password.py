"""Passwords written into messages: "my password is …", "pw: …", login/password pairs, combos.

The span is the secret itself, so a filter can redact it and leave the sentence. The words after
"password is" are often not a secret ("my password is wrong"), so the value must not be a
common word that describes a password, and a value with digits or symbols scores higher.
"""

from __future__ import annotations

import re

from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding

_KEY = (
    r"(?:pass[ \t-]?words?|passwd|passwrd|pword|pwd|pswd|pw|p/w|passcode|pass[ \t]code|"
    r"pass[ \t]?phrase|wi-?fi[ \t]+(?:password|key|code)|log[ \t-]?in[ \t]+(?:code|pin)|pin(?:[ \t]+(?:code|number))?|"
    r"access[ \t]+code|unlock[ \t]+code|phone[ \t]+code)"
)
_VALUE = r"(?P<q>[\"'“‘`]?)(?P<secret>[^\s\"'“”‘’`]{1,64})(?P=q)"
_FOR = r"(?:[ \t]+(?:for|to|on|of)[ \t]+[\w.@'-]+(?:[ \t]+[\w.@'-]+){0,2})?"
_DISCLOSED = re.compile(
    r"(?<![\w-])" + _KEY + _FOR + r"[ \t]*(?:is|was|will[ \t]+be|=|:|->|=>|-)[ \t]*" + _VALUE,
    re.IGNORECASE,
)
# "my pw hunter2": no verb, so the value itself must look like a secret (checked below).
_BARE = re.compile(r"(?<![\w-])" + _KEY + r"[ \t]+" + _VALUE, re.IGNORECASE)
_PASS_COLON = re.compile(r"(?<![\w-])pass[ \t]*[:=][ \t]*" + _VALUE, re.IGNORECASE)
_PAIR = re.compile(
    r"(?<![\w-])(?:log[ \t-]?in|user(?:[ \t-]?name)?|acct|account|sign[ \t-]?in)"
    r"[ \t]*(?:is|:|=)?[ \t]*[\w.@+-]{2,64}[ \t]*(?:/|\||,|;)[ \t]*" + _VALUE,
    re.IGNORECASE,
)
_COMBO = re.compile(
    r"(?<![\w-])(?:locker[ \t]+)?comb(?:o|ination)[ \t]*(?:is|:|=)?[ \t]*"
    r"(?P<secret>\d{1,2}[ \t]*[-/ ,][ \t]*\d{1,2}[ \t]*[-/ ,][ \t]*\d{1,2})(?!\d)",
    re.IGNORECASE,
)
# Words that describe a password rather than being one ("my password is wrong").
_NOT_SECRET = frozenset(
    """
    a an the and or but not no yes too so very really just also still now then this that these
    it its is was be been being are were will would should could can cant can't won't dont
    don't doesnt doesn't isnt isn't wasnt wasn't my your his her our their its me you him them
    wrong incorrect correct right invalid valid expired expiring locked unlocked reset changed
    change same different weak strong easy hard simple long short secret private stolen hacked
    forgotten forgot lost missing required needed necessary optional case sensitive protected
    below above attached here there same again what which who why how where when ok okay fine
    good bad new old saved stored written on in at for to of from with by as if into about
    please pls plz thanks thank sent set asking ask required. letters characters digits numbers
    something anything nothing everything somewhere blank empty same. hint hints reset? manager
    updated update updating generated temporary temp default policy policies rules field box
    """.split()
)


def _trim(secret: str) -> str:
    """Drop sentence punctuation after a value; keep '!' and '?' on a value that has symbols."""
    secret = secret.rstrip(".,;:)]}>")
    bare = secret.rstrip("!?")
    return bare if _strength_bonus(bare) == 0.0 else secret


def _strength_bonus(secret: str) -> float:
    kinds = sum(
        (
            any(c.islower() for c in secret),
            any(c.isupper() for c in secret),
            any(c.isdigit() for c in secret),
            any(not c.isalnum() for c in secret),
        )
    )
    return 0.1 if kinds >= 2 else 0.0


class PasswordDetector:
    name = "password"
    entities = ("PASSWORD",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        for regex, pattern, base, why in (
            (_DISCLOSED, "disclosure_phrase", 0.8, "a value given right after 'password', 'pw', 'PIN'"),
            (_BARE, "keyword_then_secret", 0.75, "a password-like value right after 'password' or 'pw'"),
            (_PASS_COLON, "pass_colon", 0.8, "a value given after 'pass:'"),
            (_PAIR, "login_pair", 0.75, "the second half of a 'login user / secret' pair"),
        ):
            for m in regex.finditer(text):
                start = m.start("secret")
                secret = m.group("secret")
                if not m.group("q"):
                    secret = _trim(secret)
                if not secret or secret.casefold() in _NOT_SECRET:
                    continue
                bonus = _strength_bonus(secret)
                if pattern == "keyword_then_secret" and bonus == 0.0 and not secret.isdigit():
                    continue
                if _is_pin_key(m.group()) and not secret.isdigit():
                    continue  # "pin" also means a brooch or a map marker; PINs are digits
                score = min(0.95, base + bonus)
                end = start + len(secret)
                found.append(Finding("PASSWORD", start, end, score, self.name, pattern, why))
        for m in _COMBO.finditer(text):
            start, end = m.span("secret")
            found.append(
                Finding(
                    "PASSWORD", start, end, 0.85, self.name, "locker_combination",
                    "three numbers after 'combo' or 'combination' (a lock combination)",
                )  # fmt: skip
            )
        return _dedupe(found)


def _is_pin_key(matched: str) -> bool:
    return re.match(r"pin\b", matched, re.IGNORECASE) is not None


def _dedupe(found: list[Finding]) -> list[Finding]:
    best: dict[tuple[int, int], Finding] = {}
    for f in found:
        key = (f.start, f.end)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return sorted(best.values(), key=lambda f: f.start)
