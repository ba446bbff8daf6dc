"""The closed vocabularies shared by the pack format, the engine and every enforcement point.

Kept in one module so the pack schema, the engine and the documentation cannot drift apart.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Channel = Literal["web", "email", "publication", "device", "software", "account"]
# In order of strictness: when rules of equal precedence disagree, the strictest action wins.
Action = Literal["allow", "flag", "warn", "require-acknowledgment", "hold", "block"]
Severity = Literal["info", "low", "medium", "high", "critical"]
Served = Literal["enforced", "workflow", "advisory"]
Workflow = Literal[
    "acknowledgment",
    "guardian-consent",
    "publication-review",
    "equipment-checkout",
    "software-request",
    "device-admission",
    "mass-email-permission",
    "listserv-permission",
    "account-management",
    "supervision",
    "monitoring-review",
    "incident-response",
    "sanction",
    "site-review",
    "instruction",
    "confidentiality",
    "retention",
    "public-records",
    "policy-administration",
]
SanctionScope = Literal["network", "internet", "email", "publishing", "devices", "all"]
Tier = Literal["sanction", "explicit", "policy", "default"]

CHANNELS: Final = get_args(Channel)
ACTIONS: Final = get_args(Action)
SEVERITIES: Final = get_args(Severity)
SERVED: Final = get_args(Served)
WORKFLOWS: Final = get_args(Workflow)
SANCTION_SCOPES: Final = get_args(SanctionScope)
# Precedence tiers, highest first: a sanction beats an explicit allow or deny of a name, which
# beats a category or content rule, which beats the channel's default.
TIERS: Final = get_args(Tier)

ACTION_STRICTNESS: Final[dict[str, int]] = {a: i for i, a in enumerate(ACTIONS)}
TIER_RANK: Final[dict[str, int]] = {t: i for i, t in enumerate(TIERS)}

# Which event channels a condition can be evaluated on. A condition on no channel of its rule
# means the rule can never fire, which the validator reports.
CONDITION_CHANNELS: Final[dict[str, frozenset[str]]] = {
    "categories": frozenset({"web"}),
    "domains": frozenset({"web"}),
    "labels": frozenset({"email", "publication"}),
    "findings": frozenset({"email", "publication"}),
    "recipients": frozenset({"email"}),
    "external_recipients": frozenset({"email"}),
    "attachment_types": frozenset({"email"}),
    "unconsented_students": frozenset({"publication"}),
    "during": frozenset(CHANNELS),
    "outside": frozenset(CHANNELS),
    "acknowledged": frozenset(CHANNELS),
    "missing_consent": frozenset(CHANNELS),
    "missing_grant": frozenset(CHANNELS),
    "sanctioned": frozenset(CHANNELS),
    "attributes": frozenset(CHANNELS),
}

# Consents a published student needs for each way they appear in a publication.
PUBLICATION_CONSENTS: Final = ("publish-work", "publish-full-name", "publish-photo")
