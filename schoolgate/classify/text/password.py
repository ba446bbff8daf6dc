"""Passwords written into messages: "my password is …", "pw: …", login/password pairs, combos.

The span is the secret itself, so a filter can redact it and leave the sentence. The words after
"password is" are often not a secret ("my password is wrong"), so the value must not be a
common word that describes a password, and a value with digits or symbols scores higher.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schoolgate.classify.text.base import MAX_FINDINGS, capped
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import ascii_words, lowered

_KEY = (
    r"(?:pass[ \t-]?words?|passwd|passwrd|pword|pwd|pswd|pw|p/w|passcode|pass[ \t]code|"
    r"pass[ \t]?phrase|wi-?fi[ \t]+(?:password|key|code)|log[ \t-]?in[ \t]+(?:code|pin)|"
    r"pin(?:[ \t]+(?:code|number))?|access[ \t]+code|unlock[ \t]+code|phone[ \t]+code)"
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
# Each pattern starts with one of its anchor words; patterns are only tried where one stands.
_KEY_FIRST = """
    password passwords passwd passwrd pword pwd pswd pw p passcode pass passphrase wifi wi log
    login pin access unlock phone
"""
_PAIR_FIRST = "log login user username acct account sign signin"
_ANCHORS: dict[str, tuple[re.Pattern[str], ...]] = {}
for _w in _KEY_FIRST.split():
    _ANCHORS[_w] = (_DISCLOSED, _BARE)
_ANCHORS["pass"] = (_DISCLOSED, _BARE, _PASS_COLON)
for _w in _PAIR_FIRST.split():
    _ANCHORS[_w] = (*_ANCHORS.get(_w, ()), _PAIR)
for _w in ("locker", "combo", "combination"):
    _ANCHORS[_w] = (_COMBO,)
_ANCHOR_WORDS = frozenset(_ANCHORS)
_RULES: dict[re.Pattern[str], tuple[str, float, str]] = {
    _DISCLOSED: ("disclosure_phrase", 0.8, "a value given right after 'password', 'pw', 'PIN'"),
    _BARE: ("keyword_then_secret", 0.75, "a password-like value right after 'password' or 'pw'"),
    _PASS_COLON: ("pass_colon", 0.8, "a value given after 'pass:'"),
    _PAIR: ("login_pair", 0.75, "the second half of a 'login user / secret' pair"),
}
# Words that describe a password rather than being one ("my password is wrong").
_DESCRIBING_WORDS = """
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
    pass password passwords pw pwd passcode pin login username user
    """
_NOT_SECRET = frozenset(_DESCRIBING_WORDS.split())


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
        words = ascii_words(text)
        present = words & _ANCHOR_WORDS
        if not present:
            return []
        low = lowered(text)
        found: list[Finding] = []
        for word in sorted(present):
            for at in capped(_word_positions(low, word)):
                if len(found) >= MAX_FINDINGS:
                    return _dedupe(found)
                for regex in _ANCHORS[word]:
                    m = regex.match(text, at)
                    if m is not None:
                        self._consider(m, regex, found)
        return _dedupe(found)

    def _consider(self, m: re.Match[str], regex: re.Pattern[str], found: list[Finding]) -> None:
        if regex is _COMBO:
            start, end = m.span("secret")
            why = "three numbers after 'combo' or 'combination' (a lock combination)"
            found.append(
                Finding("PASSWORD", start, end, 0.85, self.name, "locker_combination", why)
            )
            return
        pattern, base, why = _RULES[regex]
        start = m.start("secret")
        secret = m.group("secret")
        if not m.group("q"):
            secret = _trim(secret)
        if not secret or secret.casefold() in _NOT_SECRET:
            return
        bonus = _strength_bonus(secret)
        pin = _is_pin_key(m.group())
        if pattern == "keyword_then_secret" and (
            (bonus == 0.0 and not secret.isdigit()) or (secret.isdigit() and not pin)
        ):
            return  # "PW 96940" is Palau and a ZIP code; bare digits need "PIN"
        if pin and not secret.isdigit():
            return  # "pin" also means a brooch or a map marker; PINs are digits
        score = min(0.95, base + bonus)
        found.append(
            Finding("PASSWORD", start, start + len(secret), score, self.name, pattern, why)
        )


def _word_positions(low: str, word: str) -> Iterator[int]:
    """Offsets where ``word`` stands as a whole run of letters (not an @mention)."""
    at = low.find(word)
    n = len(word)
    while at != -1:
        before = low[at - 1] if at else " "
        after = low[at + n] if at + n < len(low) else " "
        if not ("a" <= before <= "z" or before == "@") and not ("a" <= after <= "z"):
            yield at  # "@user" is a mention, not a login
        at = low.find(word, at + n)


def _is_pin_key(matched: str) -> bool:
    return re.match(r"pin\b", matched, re.IGNORECASE) is not None


def _dedupe(found: list[Finding]) -> list[Finding]:
    best: dict[tuple[int, int], Finding] = {}
    for f in found:
        key = (f.start, f.end)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return sorted(best.values(), key=lambda f: f.start)
