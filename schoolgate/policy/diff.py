"""What changed between two versions of a pack, and whether people must sign again.

A change is *material* when it changes what the policy asks of people or what the software
does: a clause's words or how it is served, a clause added or removed, a rule added, removed or
changed in audience, conditions, action or citations. Summaries, notes, messages, severities,
notification lists and test cases are not material.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schoolgate.policy.model import Pack, Rule


@dataclass
class PackDiff:
    clauses_added: list[str] = field(default_factory=list)
    clauses_removed: list[str] = field(default_factory=list)
    clauses_reworded: list[str] = field(default_factory=list)
    clauses_reserved: list[str] = field(default_factory=list)  # `served` changed
    rules_added: list[str] = field(default_factory=list)
    rules_removed: list[str] = field(default_factory=list)
    rules_changed: dict[str, list[str]] = field(default_factory=dict)
    minor: list[str] = field(default_factory=list)

    @property
    def material(self) -> bool:
        return bool(
            self.clauses_added
            or self.clauses_removed
            or self.clauses_reworded
            or self.clauses_reserved
            or self.rules_added
            or self.rules_removed
            or self.rules_changed
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "material": self.material,
            "clauses": {
                "added": self.clauses_added,
                "removed": self.clauses_removed,
                "reworded": self.clauses_reworded,
                "served_changed": self.clauses_reserved,
            },
            "rules": {
                "added": self.rules_added,
                "removed": self.rules_removed,
                "changed": self.rules_changed,
            },
            "minor": self.minor,
        }


_MATERIAL_RULE_FIELDS = ("cites", "channels", "applies_to", "when", "action", "priority", "failure")


def _rule_changes(old: Rule, new: Rule) -> tuple[list[str], list[str]]:
    material: list[str] = []
    minor: list[str] = []
    for name in Rule.model_fields:
        if getattr(old, name) != getattr(new, name):
            (material if name in _MATERIAL_RULE_FIELDS else minor).append(name)
    return material, minor


def diff_packs(old: Pack, new: Pack) -> PackDiff:
    out = PackDiff()
    old_clauses = {c.id: c for c in old.clauses}
    new_clauses = {c.id: c for c in new.clauses}
    out.clauses_added = [c for c in new_clauses if c not in old_clauses]
    out.clauses_removed = [c for c in old_clauses if c not in new_clauses]
    for cid, new_clause in new_clauses.items():
        old_clause = old_clauses.get(cid)
        if old_clause is None:
            continue
        if old_clause.text.split() != new_clause.text.split():
            out.clauses_reworded.append(cid)
        if (old_clause.served, old_clause.workflow) != (new_clause.served, new_clause.workflow):
            out.clauses_reserved.append(cid)
        if (old_clause.summary, old_clause.note, old_clause.section) != (
            new_clause.summary,
            new_clause.note,
            new_clause.section,
        ):
            out.minor.append(f"clause {cid}: wording of summary, note or section")
    old_rules = {r.id: r for r in old.rules}
    new_rules = {r.id: r for r in new.rules}
    out.rules_added = [r for r in new_rules if r not in old_rules]
    out.rules_removed = [r for r in old_rules if r not in new_rules]
    for rid, new_rule in new_rules.items():
        old_rule = old_rules.get(rid)
        if old_rule is None:
            continue
        material, minor = _rule_changes(old_rule, new_rule)
        if material:
            out.rules_changed[rid] = material
        if minor:
            out.minor.append(f"rule {rid}: {', '.join(minor)}")
    if old.defaults != new.defaults:
        out.rules_changed["defaults"] = ["defaults"]
    if old.metadata.version != new.metadata.version:
        out.minor.append(f"version {old.metadata.version} → {new.metadata.version}")
    if old.cases != new.cases:
        out.minor.append("test cases")
    return out
