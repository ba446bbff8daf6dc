"""Running a pack's own decision cases ("this event → this decision, citing these clauses")."""

from __future__ import annotations

from dataclasses import dataclass

from schoolgate.engine.decide import Decision, decide
from schoolgate.engine.parse import event_from_dict
from schoolgate.engine.snapshot import Snapshot
from schoolgate.policy.model import Case, Pack


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    decision: Decision
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_case(snapshot: Snapshot, case: Case) -> CaseResult:
    decision = decide(snapshot, event_from_dict(case.event))
    failures: list[str] = []
    if decision.action != case.expect.action:
        failures.append(f"action is {decision.action}, expected {case.expect.action}")
    missing_rules = [r for r in case.expect.rules if r not in decision.rules]
    if missing_rules:
        failures.append(
            f"rules {', '.join(decision.rules)} do not include {', '.join(missing_rules)}"
        )
    missing_cites = [c for c in case.expect.cites if c not in decision.clause_ids]
    if missing_cites:
        failures.append(f"does not cite {', '.join(missing_cites)}")
    if not decision.clauses:
        failures.append("the decision cites no clause")
    return CaseResult(case, decision, tuple(failures))


def run_cases(snapshot: Snapshot, pack: Pack) -> list[CaseResult]:
    return [run_case(snapshot, case) for case in pack.cases]
