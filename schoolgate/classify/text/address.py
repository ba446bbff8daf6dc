"""US street addresses: a house number, a street name and a USPS street suffix.

The suffixes are those of USPS Publication 28, appendix C1 (full words and standard
abbreviations), so any street a district has is covered without a gazetteer. A bare
"12 Oak Street" in a capitalised form is likely an address; a unit, a city-state-ZIP tail or a
word like "live at" makes it near certain. Lower-case street names ("42 maple st") are
only accepted with such a word nearby, which keeps "3 dogs on the street" out.
Post-office boxes and military (APO/FPO/DPO) addresses are matched too.
"""

from __future__ import annotations

import re

from schoolgate.classify.text.base import (
    MAX_CANDIDATES,
    MAX_FINDINGS,
    capped,
    near,
    trie_regex,
    words_regex,
)
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.finding import Finding
from schoolgate.classify.text.textfacts import digit_runs, has_word, preceded_by

_SUFFIX_WORDS = (
    "Alley Allee Aly Ally Anex Annex Anx Arcade Arc Avenue Ave Av Aven Avenu Avn Bayou Byu "
    "Beach Bch Bend Bnd Bluff Blf Bluffs Blfs Bottom Btm Boulevard Blvd Boul Branch Br Brnch "
    "Bridge Brg Brook Brk Brooks Brks Burg Bg Burgs Bgs Bypass Byp Camp Cp Canyon Cyn Cape Cpe "
    "Causeway Cswy Center Ctr Centre Cen Centers Ctrs Circle Cir Circ Circles Cirs Cliff Clf "
    "Cliffs Clfs Club Clb Common Cmn Commons Cmns Corner Cor Corners Cors Course Crse Court Ct "
    "Courts Cts Cove Cv Coves Cvs Creek Crk Crescent Cres Crest Crst Crossing Xing Crossroad "
    "Xrd Crossroads Xrds Curve Curv Dale Dl Dam Dm Divide Dv Dvd Drive Dr Drv Drives Drs "
    "Estate Est Estates Ests Expressway Expy Extension Ext Extensions Exts Fall Falls Fls "
    "Ferry Fry Field Fld Fields Flds Flat Flt Flats Flts Ford Frd Fords Frds Forest Frst "
    "Forge Frg Forges Frgs Fork Frk Forks Frks Fort Ft Freeway Fwy Garden Gdn Gardens Gdns "
    "Gateway Gtwy Glen Gln Glens Glns Green Grn Greens Grns Grove Grv Groves Grvs Harbor Hbr "
    "Harbors Hbrs Haven Hvn Heights Hts Highway Hwy Hill Hl Hills Hls Hollow Holw Inlet Inlt "
    "Island Is Islands Iss Isle Junction Jct Junctions Jcts Key Ky Keys Kys Knoll Knl Knolls "
    "Knls Lake Lk Lakes Lks Land Landing Lndg Lane Ln Light Lgt Lights Lgts Loaf Lf Lock Lck "
    "Locks Lcks Lodge Ldg Loop Mall Manor Mnr Manors Mnrs Meadow Mdw Meadows Mdws Mews Mill "
    "Ml Mills Mls Mission Msn Motorway Mtwy Mount Mt Mountain Mtn Mountains Mtns Neck Nck "
    "Orchard Orch Oval Ovl Overpass Opas Park Prk Parks Parkway Pkwy Parkways Pkwys Pass "
    "Passage Psge Path Pike Pine Pne Pines Pnes Place Pl Plain Pln Plains Plns Plaza Plz Point "
    "Pt Points Pts Port Prt Ports Prts Prairie Pr Radial Radl Ramp Ranch Rnch Rapid Rpd Rapids "
    "Rpds Rest Rst Ridge Rdg Ridges Rdgs River Riv Road Rd Roads Rds Route Rte Row Rue Run "
    "Shoal Shl Shoals Shls Shore Shr Shores Shrs Skyway Skwy Spring Spg Springs Spgs Spur "
    "Spurs Square Sq Squares Sqs Station Sta Stravenue Stra Stream Strm Street St Str Streets "
    "Sts Summit Smt Terrace Ter Throughway Trwy Trace Trce Track Trak Trafficway Trfy Trail "
    "Trl Trailer Trlr Tunnel Tunl Turnpike Tpke Underpass Upas Union Un Unions Uns Valley Vly "
    "Valleys Vlys Via Viaduct Vdct View Vw Views Vws Village Vlg Villages Vlgs Ville Vl Vista "
    "Vis Walk Walks Wall Way Wy Ways Well Wl Wells Wls"
)
SUFFIXES = tuple(_SUFFIX_WORDS.split())
_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI AA AE AP "
    "PW FM MH"
)
STATES = tuple(_STATE_CODES.split())

# Short real words among the suffixes; every other short entry is an abbreviation ("St", "Blvd").
_SHORT_WORDS = frozenset(
    [
        "Way",
        "Row",
        "Run",
        "Key",
        "Keys",
        "Pass",
        "Path",
        "Mall",
        "Loop",
        "Lake",
        "Land",
        "Lock",
        "Mews",
        "Mill",
        "Neck",
        "Oval",
        "Park",
        "Pike",
        "Pine",
        "Port",
        "Ramp",
        "Rest",
        "Rue",
        "Spur",
        "View",
        "Walk",
        "Wall",
        "Well",
        "Via",
        "Cove",
        "Dale",
        "Dam",
        "Fall",
        "Ford",
        "Fork",
        "Fort",
        "Glen",
        "Hill",
        "Isle",
        "Cape",
        "Camp",
        "Bend",
        "Club",
        "Lane",
        "Flat",
        "Burg",
        "Gdn",
    ]
)
_FULL = sorted((s for s in SUFFIXES if len(s) > 4 or s in _SHORT_WORDS), key=len, reverse=True)
_ABBREV = sorted(
    (s for s in SUFFIXES if len(s) <= 4 and s not in _SHORT_WORDS), key=len, reverse=True
)
# A dot after "St" is part of the abbreviation; after "Ridge" it ends the sentence.
_SUFFIX = "(?:" + trie_regex(_FULL) + r"\b|" + trie_regex(_ABBREV) + r"\b\.?)"
_DIR = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)"
_UNIT = (
    r"(?:,?\s*(?:(?:Apt|Apartment|Suite|Ste|Unit|Bldg|Building|Floor|Fl|Room|Rm|Lot|Trlr|Spc)"
    r"\b\.?\s*#?\s*|#\s*)[A-Za-z0-9][\w-]{0,5})"
)
_CITY_STATE_ZIP = (
    r"(?:,?[ \t]*\n?[ \t]*[A-Z][A-Za-z.'-]+(?:[ \t]+[A-Z][A-Za-z.'-]+){0,3},?[ \t]+(?:"
    + trie_regex(STATES)
    + r")\.?[ \t]+\d{5}(?:-\d{4})?\b)"
)
_NUMBER = r"\d{1,6}(?:-\d{1,4})?[A-Za-z]?"
_NAME_CAP = r"(?:[A-Z][\w'.-]*|\d{1,3}(?:st|nd|rd|th))"

_STREET_CAP = re.compile(
    _NUMBER
    + r"[ \t]+(?:"
    + _DIR
    + r"\.?[ \t]+)?(?:"
    + _NAME_CAP
    + r"[ \t]+){1,4}?"
    + _SUFFIX
    + r"(?:[ \t]+"
    + _DIR
    + r"\b\.?)?(?P<unit>"
    + _UNIT
    + r")?(?P<tail>"
    + _CITY_STATE_ZIP
    + r")?"
)
_STREET_ANY = re.compile(
    _NUMBER
    + r"[ \t]+(?:"
    + _DIR
    + r"\.?[ \t]+)?(?:[a-z0-9][\w'.-]*[ \t]+){1,3}?"
    + _SUFFIX
    + r"(?P<unit>"
    + _UNIT
    + r")?",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"P\.?[ \t]?O\.?[ \t]*Box[ \t]+\d{1,6}(?P<tail>" + _CITY_STATE_ZIP + ")?",
    re.IGNORECASE,
)
_MILITARY = re.compile(
    r"(?:(?:PSC|Unit|CMR)[ \t]+\d{1,5},?[ \t]+Box[ \t]+\d{1,5}|USN[SV][ \t]+[A-Z][A-Za-z]+"
    r"(?:[ \t]+[A-Z][A-Za-z]+)?|USCGC[ \t]+[A-Z][A-Za-z]+)"
    r",?\s*(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5}\b"
)
_CONTEXT = words_regex(
    (
        "live at", "live on", "lives at", "lives on", "living at", "address", "addy", "house",
        "home", "come over", "pick me up", "pick up", "drop off", "moved to", "located at",
        "my place", "apartment", "mail it to", "send it to", "ship to", "deliver",
    )
)  # fmt: skip
_CONTEXT_TRIGGERS = frozenset(
    [
        "live",
        "lives",
        "living",
        "address",
        "addy",
        "house",
        "home",
        "come",
        "pick",
        "drop",
        "moved",
        "located",
        "place",
        "apartment",
        "mail",
        "send",
        "ship",
        "deliver",
    ]
)
_MILITARY_WORDS = frozenset({"apo", "fpo", "dpo"})
_BOX_WORDS = frozenset({"box"})
_NOT_AFTER_NUMBER = re.compile(
    r"[ \t]+(?:am|pm|a\.m|p\.m|percent|points|pts|minutes|min|hours|hrs|times|degrees)\b",
    re.IGNORECASE,
)


def _at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` anchored at the given house-number starts."""
    out: list[re.Match[str]] = []
    done = 0
    for start in starts[:MAX_CANDIDATES]:
        if len(out) >= MAX_FINDINGS:
            break
        if start >= done:
            m = pattern.match(text, start)
            if m is not None:
                out.append(m)
                done = m.end()
    return out


class AddressDetector:
    name = "address"
    entities = ("STREET_ADDRESS",)

    def detect(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, score: float, pattern: str, why: str) -> None:
            if len(found) >= MAX_FINDINGS or any(start < e and s < end for s, e in taken):
                return
            taken.append((start, end))
            found.append(Finding("STREET_ADDRESS", start, end, score, self.name, pattern, why))

        if not digit_runs(text):
            return found
        # House numbers: up to six digits, then a space, a dash or a letter ("12B"), and not
        # a price, a time or a decimal.
        runs = [
            s
            for s, e in digit_runs(text)
            if e - s <= 6
            and e < len(text)
            and (text[e] in " \t-" or text[e].isalpha())
            and not preceded_by(text, s, "$#.,/:-")
        ]
        if has_word(text, _MILITARY_WORDS):
            for m in capped(_MILITARY.finditer(text)):
                if not preceded_by(text, m.start(), ""):
                    why = "a military (APO/FPO/DPO) mailing address"
                    add(m.start(), m.end(), 0.95, "military", why)
        if has_word(text, _BOX_WORDS):
            for m in capped(_PO_BOX.finditer(text)):
                if not preceded_by(text, m.start(), ""):
                    score = 0.95 if m.group("tail") else 0.8
                    add(m.start(), m.end(), score, "po_box", "a post-office box number")
        for m in _at(_STREET_CAP, text, runs):
            if _NOT_AFTER_NUMBER.match(text, m.start() + len(m.group().split()[0])):
                continue
            has_context = near(text, m.start(), m.end(), _CONTEXT, 40, 0)
            if m.group("tail"):
                score, pattern = 0.95, "street_city_state_zip"
                why = "house number, street name, USPS suffix, then city, state and ZIP"
            elif m.group("unit") or has_context:
                score, pattern = 0.9, "street_unit_or_context"
                why = "house number, street name, USPS suffix, and a unit or a word like 'live at'"
            else:
                score, pattern = 0.7, "street"
                why = "house number, capitalised street name and a USPS street suffix"
            add(m.start(), m.end(), score, pattern, why)
        if not has_word(text, _CONTEXT_TRIGGERS):
            return found
        for m in _at(_STREET_ANY, text, runs):
            if _NOT_AFTER_NUMBER.match(text, m.start() + len(m.group().split()[0])):
                continue
            if near(text, m.start(), m.end(), _CONTEXT, 40, 0):
                why = "house number, street name and USPS suffix after a word like 'live at'"
                add(m.start(), m.end(), 0.75, "street_lowercase_context", why)
        return found
