"""Pack (and records) → Snapshot data: everything the engine needs, resolved ahead of time.

Role hierarchies become closures, policy categories become a list → categories map, rules gain
their precedence tier. Work done here is work the decision path never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schoolgate.engine.snapshot import FORMAT, Snapshot
from schoolgate.engine.vocabulary import TIER_RANK
from schoolgate.policy.catalogue import UT1_ALIASES
from schoolgate.policy.model import Pack, Rule
from schoolgate.policy.validate import role_closure, rule_tier


def _list_map(pack: Pack) -> dict[str, list[str]]:
    """List category → the policy categories that include it (aliases resolved both ways)."""
    out: dict[str, set[str]] = {}
    for name, category in pack.categories.items():
        for list_name in category.lists:
            canonical = UT1_ALIASES.get(list_name, list_name)
            out.setdefault(canonical, set()).add(name)
            for alias, target in UT1_ALIASES.items():
                if target == canonical:
                    out.setdefault(alias, set()).add(name)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _rule(rule: Rule) -> dict[str, Any]:
    tier = rule_tier(rule)
    return {
        "id": rule.id,
        "tier": tier,
        "tier_rank": TIER_RANK[tier],
        "priority": rule.priority,
        "channels": sorted(rule.channels),
        "roles": sorted(rule.applies_to.roles),
        "groups": sorted(rule.applies_to.groups),
        "except_roles": sorted(rule.applies_to.except_roles),
        "except_groups": sorted(rule.applies_to.except_groups),
        "when": rule.when.model_dump(mode="json", exclude_none=True),
        "action": rule.action,
        "severity": rule.severity,
        "notify": list(rule.notify),
        "incident": rule.incident,
        "failure": rule.failure,
        "tags": list(rule.tags),
        "message": rule.message,
        "cites": list(rule.cites),
    }


def snapshot_data(pack: Pack, records: Mapping[str, Any] | None = None) -> dict[str, Any]:
    meta = pack.metadata
    return {
        "format": FORMAT,
        "pack": {
            "id": meta.id,
            "title": meta.title,
            "agency": meta.agency,
            "version": meta.version,
            "policy_numbers": list(meta.policy_numbers),
            "timezone": meta.timezone,
            "source": meta.source.document,
        },
        "clauses": {
            c.id: {
                "section": c.section,
                "text": " ".join(c.text.split()),
                "summary": c.summary,
                "served": c.served,
                "workflow": list(c.workflow),
            }
            for c in pack.clauses
        },
        "roles": {role: sorted(broader) for role, broader in role_closure(pack).items()},
        "groups": {g.id: {"kind": g.kind, "grades": list(g.grades)} for g in pack.groups},
        "categories": {
            name: {"description": c.description, "lists": list(c.lists)}
            for name, c in pack.categories.items()
        },
        "lists": _list_map(pack),
        "windows": {name: w.model_dump(mode="json") for name, w in pack.windows.items()},
        "failure": pack.failure.model_dump(mode="json"),
        "acknowledgment": (
            pack.acknowledgment.model_dump(mode="json") if pack.acknowledgment else None
        ),
        "rules": [_rule(r) for r in pack.rules],
        "defaults": {
            d.channel: {"action": d.action, "cites": list(d.cites), "message": d.message}
            for d in pack.defaults
        },
        "exceptions": pack.exceptions.model_dump(mode="json") if pack.exceptions else None,
        "records": dict(records) if records else {"users": {}, "addresses": {}},
    }


def compile_pack(pack: Pack, records: Mapping[str, Any] | None = None) -> Snapshot:
    return Snapshot.from_data(snapshot_data(pack, records))
