"""How each clause of the board's policy is served: the report a district shows its auditors."""

from __future__ import annotations

from dataclasses import dataclass

from schoolgate.policy.model import Pack


@dataclass(frozen=True, slots=True)
class ClauseCoverage:
    id: str
    section: str
    served: str
    by: tuple[str, ...]  # rule ids, workflow names, or how an advisory clause is served
    summary: str

    @property
    def ok(self) -> bool:
        return bool(self.by)


def coverage(pack: Pack) -> list[ClauseCoverage]:
    """Every clause with what serves it; unserved clauses (still to configure) come first."""
    citing: dict[str, list[str]] = {}
    for rule in pack.rules:
        for clause_id in rule.cites:
            citing.setdefault(clause_id, []).append(rule.id)
    for default in pack.defaults:
        for clause_id in default.cites:
            citing.setdefault(clause_id, []).append(f"default:{default.channel}")
    rows = []
    for clause in pack.clauses:
        if clause.served == "enforced":
            by = tuple(citing.get(clause.id, ()))
        elif clause.served == "workflow":
            by = tuple(f"workflow:{w}" for w in clause.workflow) + tuple(citing.get(clause.id, ()))
        else:
            by = ("acknowledgment", "instruction")
        words = " ".join((clause.summary or clause.text).split())
        rows.append(ClauseCoverage(clause.id, clause.section, clause.served, by, words))
    return sorted(rows, key=lambda r: r.ok)


def totals(rows: list[ClauseCoverage]) -> dict[str, int]:
    out = {"clauses": len(rows), "served": sum(r.ok for r in rows)}
    for kind in ("enforced", "workflow", "advisory"):
        out[kind] = sum(r.served == kind for r in rows)
    return out
