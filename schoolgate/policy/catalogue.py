"""The list categories a pack may name.

UT1's categories as published (with its alias names), plus schoolgate's built-in lists. A pack
adds its own with `custom_lists`. Kept as data here rather than read from a downloaded tarball so
that validating a pack never depends on which lists happen to be installed.
"""

from __future__ import annotations

from typing import Final

UT1_CATEGORIES: Final = frozenset(
    {
        "adult", "agressif", "ai", "arjel", "associations_religieuses", "astrology",
        "audio-video", "bank", "bitcoin", "blog", "celebrity", "chat", "child", "cleaning",
        "cooking", "cryptojacking", "dangerous_material", "dating", "ddos", "dialer", "doh",
        "download", "drogue", "dynamic-dns", "educational_games", "examen_pix",
        "exceptions_liste_bu", "fakenews", "filehosting", "financial", "forums", "gambling",
        "games", "global_usage", "hacking", "jobsearch", "lingerie", "liste_blanche", "liste_bu",
        "malware", "manga", "marketingware", "mixed_adult", "mobile-phone", "phishing", "press",
        "publicite", "radio", "reaffected", "redirector", "remote-control",
        "residential-proxies", "sect", "sexual_education", "shopping", "shortener",
        "social_networks", "special", "sports", "stalkerware", "strict_redirector",
        "strong_redirector", "translation", "tricheur", "tricheur_pix", "update", "vpn", "warez",
        "webhosting", "webmail",
    }
)  # fmt: skip

# UT1 publishes these names as symbolic links to the category on the right.
UT1_ALIASES: Final[dict[str, str]] = {
    "porn": "adult",
    "proxy": "redirector",
    "drugs": "drogue",
    "violence": "agressif",
    "aggressive": "agressif",
    "ads": "publicite",
    "mail": "forums",
}

# Names schoolgate itself maintains: filter-bypass signals every district wants blocked
# (the Firefox DoH canary, iCloud Private Relay, DDR) and SafeSearch targets.
BUILTIN_LISTS: Final = frozenset({"schoolgate-bypass", "schoolgate-safesearch"})

LIST_CATEGORIES: Final = UT1_CATEGORIES | frozenset(UT1_ALIASES) | BUILTIN_LISTS

# Labels of the text classifier (docs/text-classification.md) a rule's `labels` may name.
TEXT_LABELS: Final = frozenset(
    {
        "offensive", "hate", "threat", "sexual", "self_harm", "dangerous", "solicitation",
        "political", "spam",
    }
)  # fmt: skip

# Kinds of detector finding a rule's `findings` may name.
FINDING_KINDS: Final = frozenset(
    {
        "phone", "street-address", "email-address", "ssn", "date-of-birth", "student-id",
        "student-full-name", "person-name", "password", "api-key", "profanity", "sexual-term",
    }
)  # fmt: skip
