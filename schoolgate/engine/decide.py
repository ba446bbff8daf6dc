"""decide(snapshot, event) -> Decision: the one place policy is applied.

Pure: no I/O, no clock, no framework. Given the same snapshot and event it returns the same
decision, which is what lets every enforcement point, the pack tests and the benchmarks share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from schoolgate.engine.conditions import Categories, Evidence, Facts
from schoolgate.engine.events import Event, WebRequest
from schoolgate.engine.snapshot import ClauseInfo, CompiledRule, SiteException, Snapshot
from schoolgate.engine.vocabulary import ACTION_STRICTNESS, TIER_RANK

SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")

# A site exception is an explicit `allow` of priority 0 for the people it names: sanction-tier
# rules and explicit rules of higher priority outrank it, a stricter explicit rule of the same
# priority wins over it (strictest action), and it outranks the policy tier and the default.
EXCEPTION_LEVEL = (TIER_RANK["explicit"], 0)
# Rules with these tags are never lifted by an exception, whatever their tier: a staff member can
# open a site for a class, not a way around the filter (`bypass`: proxies, VPNs, DNS-over-HTTPS,
# the built-in bypass signals) nor material the pack blocks for everyone's safety (`safety`).
KEPT_TAGS = frozenset({"bypass", "safety"})

_VERDICT = {
    "allow": "Allowed",
    "flag": "Allowed and recorded for review",
    "warn": "Allowed with a warning",
    "require-acknowledgment": "Waiting for the policy to be signed",
    "hold": "Held for review",
    "block": "Blocked",
}


@dataclass(frozen=True, slots=True)
class Decision:
    action: str
    rules: tuple[str, ...]
    clauses: tuple[ClauseInfo, ...]
    explanation: str
    evidence: tuple[Evidence, ...]
    revision: str
    severity: str = "info"
    notify: tuple[str, ...] = ()
    incident: bool = False
    tags: tuple[str, ...] = ()
    event_id: str | None = None

    @property
    def clause_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.clauses)

    def to_dict(self) -> dict[str, object]:
        return {
            "action": self.action,
            "rules": list(self.rules),
            "clauses": [
                {"id": c.id, "section": c.section, "text": c.text, "summary": c.summary}
                for c in self.clauses
            ],
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
            "severity": self.severity,
            "notify": list(self.notify),
            "incident": self.incident,
            "tags": list(self.tags),
            "revision": self.revision,
            "event_id": self.event_id,
        }


def facts_for(snapshot: Snapshot, event: Event) -> Facts:
    """Merge what the event says about its subject with what the snapshot's records say."""
    subject = event.subject
    user = subject.user
    if user is None and subject.address is not None:
        user = snapshot.addresses.get(subject.address)
    record = snapshot.users.get(user) if user is not None else None
    roles = subject.roles
    groups = subject.groups
    grade = subject.grade
    acknowledged = subject.acknowledged
    consents = subject.consents
    grants = subject.grants
    sanctions = subject.sanctions
    if record is not None:
        roles = roles | record.roles
        groups = groups | record.groups
        grade = grade or record.grade
        if acknowledged is None:
            acknowledged = record.acknowledged
        if record.consents is not None:
            consents = record.consents if consents is None else consents | record.consents
        if record.grants is not None:
            grants = record.grants if grants is None else grants | record.grants
        sanctions = sanctions + record.sanctions
    if grade is not None:
        groups = groups | snapshot.grade_groups.get(grade, frozenset())
    return Facts(event, _expand(snapshot, roles), groups, acknowledged, consents, grants, sanctions)


def _expand(snapshot: Snapshot, roles: frozenset[str]) -> frozenset[str]:
    """Roles with every broader role they are a kind of (a teacher is staff), memoised."""
    key = ("roles", roles)
    expanded: frozenset[str] | None = snapshot.memo.get(key)
    if expanded is None:
        closure = snapshot.role_closure
        expanded = frozenset().union(*(closure.get(r, (r,)) for r in roles))
        if len(snapshot.memo) < 4096:
            snapshot.memo[key] = expanded
    return expanded


def _applies(rule: CompiledRule, facts: Facts) -> bool:
    if rule.roles and rule.roles.isdisjoint(facts.roles):
        return False
    if rule.except_roles and not rule.except_roles.isdisjoint(facts.roles):
        return False
    if rule.groups and rule.groups.isdisjoint(facts.groups):
        return False
    return not (rule.except_groups and not rule.except_groups.isdisjoint(facts.groups))


@dataclass(frozen=True, slots=True)
class _Candidates:
    """One audience's rules for one channel, split so a web event tests only plausible rules."""

    everything: tuple[CompiledRule, ...]
    uncategorised: tuple[CompiledRule, ...]
    by_list: dict[str, tuple[CompiledRule, ...]]

    def for_event(self, event: Event) -> tuple[CompiledRule, ...] | list[CompiledRule]:
        payload = event.payload
        if not isinstance(payload, WebRequest) or payload.categories is None:
            return self.everything
        extra = {r.rank: r for name in payload.categories for r in self.by_list.get(name, ())}
        if not extra:
            return self.uncategorised
        chosen = {r.rank: r for r in self.uncategorised} | extra
        return [chosen[rank] for rank in sorted(chosen)]


def _rules_for(
    snapshot: Snapshot, event: Event, facts: Facts
) -> tuple[CompiledRule, ...] | list[CompiledRule]:
    """The rules that could decide this event, in precedence order.

    Audience filtering is memoised per (channel, roles, groups) — a district has few distinct
    combinations — and web rules are indexed by the list categories they test, so a name in no
    list meets only the rules that do not look at categories.
    """
    key = ("rules", event.channel, facts.roles, facts.groups)
    candidates: _Candidates | None = snapshot.memo.get(key)
    if candidates is None:
        everything = tuple(r for r in snapshot.rules[event.channel] if _applies(r, facts))
        by_list: dict[str, list[CompiledRule]] = {}
        uncategorised = []
        for rule in everything:
            lists = _category_lists(rule)
            if lists is None:
                uncategorised.append(rule)
            for name in lists or ():
                by_list.setdefault(name, []).append(rule)
        candidates = _Candidates(
            everything, tuple(uncategorised), {k: tuple(v) for k, v in by_list.items()}
        )
        if len(snapshot.memo) < 8192:
            snapshot.memo[key] = candidates
    return candidates.for_event(event)


def _category_lists(rule: CompiledRule) -> frozenset[str] | None:
    for _name, condition in rule.conditions:
        if isinstance(condition, Categories):
            return condition.lists
    return None


def _failure_mode(snapshot: Snapshot, rule: CompiledRule, facts: Facts) -> str:
    if rule.failure is not None:
        return rule.failure
    modes = {snapshot.failure_roles[r] for r in facts.roles if r in snapshot.failure_roles}
    if "closed" in modes:
        return "closed"
    if modes:
        return "open"
    return snapshot.failure_default


def _match(snapshot: Snapshot, rule: CompiledRule, facts: Facts) -> list[Evidence] | None:
    evidence: list[Evidence] = []
    unknown = False
    for _name, condition in rule.conditions:
        found = condition.test(facts)
        if found is None:
            return None
        if found.unknown:
            unknown = True
        evidence.append(found)
    if unknown and _failure_mode(snapshot, rule, facts) == "open":
        return None
    return evidence


def decide(snapshot: Snapshot, event: Event) -> Decision:
    """The decision for one event, citing the clauses of the rules that settled it."""
    facts = facts_for(snapshot, event)
    if snapshot.exceptions and isinstance(event.payload, WebRequest):
        exception = _exception_for(snapshot, event, event.payload)
        if exception is not None:
            return _decide_excepted(snapshot, event, facts, exception)
    matched: list[tuple[CompiledRule, list[Evidence]]] = []
    level: tuple[int, int] | None = None
    for rule in _rules_for(snapshot, event, facts):
        if level is not None and rule.level != level:
            break  # only rules of the winning tier and priority take part
        evidence = _match(snapshot, rule, facts)
        if evidence is None:
            continue
        matched.append((rule, evidence))
        level = rule.level
    if not matched:
        return _default(snapshot, event)
    return _combine(snapshot, event, matched)


def _exception_for(snapshot: Snapshot, event: Event, payload: WebRequest) -> SiteException | None:
    """The subject's exception in force for this name, if any (the first one, in record order)."""
    subject = event.subject
    user = subject.user
    if user is None and subject.address is not None:
        user = snapshot.addresses.get(subject.address)
    found = snapshot.exceptions.get(user) if user is not None else None
    if not found:
        return None
    name = payload.domain.lower().rstrip(".")
    for exception in found:
        if exception.covers(name) and exception.active_at(event.time):
            return exception
    return None


def _walk(
    snapshot: Snapshot, rules: Sequence[CompiledRule], facts: Facts
) -> list[tuple[CompiledRule, list[Evidence]]]:
    """The matching rules of the first level (tier, priority) at which any matches."""
    matched: list[tuple[CompiledRule, list[Evidence]]] = []
    level: tuple[int, int] | None = None
    for rule in rules:
        if level is not None and rule.level != level:
            break
        evidence = _match(snapshot, rule, facts)
        if evidence is None:
            continue
        matched.append((rule, evidence))
        level = rule.level
    return matched


def _decide_excepted(
    snapshot: Snapshot, event: Event, facts: Facts, exception: SiteException
) -> Decision:
    """The decision for a name an exception opens for this subject (see EXCEPTION_LEVEL)."""
    rules = _rules_for(snapshot, event, facts)
    matched = _walk(snapshot, rules, facts)
    if matched:
        level = matched[0][0].level
        if level < EXCEPTION_LEVEL or (
            level == EXCEPTION_LEVEL and any(rule.action != "allow" for rule, _ in matched)
        ):
            return _combine(snapshot, event, matched)
    kept = [r for r in rules if r.action != "allow" and not KEPT_TAGS.isdisjoint(r.tags)]
    held = _walk(snapshot, kept, facts) if kept else []
    if held:
        return _combine(snapshot, event, held)
    return _excepted(snapshot, event, exception)


def _excepted(snapshot: Snapshot, event: Event, exception: SiteException) -> Decision:
    clauses = tuple(snapshot.clauses[c] for c in snapshot.exception_cites)
    until = exception.until.astimezone(snapshot.timezone)
    # The exception ends at the start of a day: name the last day it is open.
    last = (until - dt.timedelta(microseconds=1)).date()
    by = exception.decided_by or "staff"
    detail = f"{by} opened {exception.domain} until {last.isoformat()}"
    reason = snapshot.exception_message or "a staff member opened this site for you"
    explanation = (
        f"{_VERDICT['allow']}: {reason.rstrip('. ')} — because {detail} "
        f"(site exception {exception.id}).{_citation(clauses)}"
    )
    return Decision(
        action="allow",
        rules=(f"exception:{exception.id}",),
        clauses=clauses,
        explanation=explanation,
        evidence=(Evidence("exception", detail, exception.domain),),
        revision=snapshot.revision,
        event_id=event.id,
    )


def _default(snapshot: Snapshot, event: Event) -> Decision:
    key = ("default", event.channel)
    decision: Decision | None = snapshot.memo.get(key)
    if decision is None:
        decision = snapshot.memo[key] = _default_decision(snapshot, event)
    if decision.event_id != event.id:
        decision = replace(decision, event_id=event.id)
    return decision


def _default_decision(snapshot: Snapshot, event: Event) -> Decision:
    default = snapshot.defaults[event.channel]
    clauses = tuple(snapshot.clauses[c] for c in default.cites)
    reason = (
        default.message or f"no rule of {snapshot.pack_title} applies to this {event.channel} event"
    )
    return Decision(
        action=default.action,
        rules=(f"default:{event.channel}",),
        clauses=clauses,
        explanation=f"{_VERDICT[default.action]}: {reason}.{_citation(clauses)}",
        evidence=(),
        revision=snapshot.revision,
        event_id=event.id,
    )


def _combine(
    snapshot: Snapshot, event: Event, matched: list[tuple[CompiledRule, list[Evidence]]]
) -> Decision:
    # Strictest action first; ties keep pack order, so the explanation leads with the rule that won.
    matched.sort(key=lambda m: -ACTION_STRICTNESS[m[0].action])
    winner, winner_evidence = matched[0]
    action = winner.action
    cites: list[str] = []
    notify: list[str] = []
    tags: list[str] = []
    evidence: list[Evidence] = []
    severity = "info"
    incident = False
    for rule, found in matched:
        cites.extend(c for c in rule.cites if c not in cites)
        evidence.extend(e for e in found if e not in evidence)
        if any(e.unknown for e in found):
            # Failing closed enforces the action, but a missing fact is no evidence of
            # wrongdoing: it opens no incident, alerts no one and marks no bypass attempt.
            continue
        notify.extend(n for n in rule.notify if n not in notify)
        tags.extend(t for t in rule.tags if t not in tags)
        incident = incident or rule.incident
        if SEVERITY_ORDER.index(rule.severity) > SEVERITY_ORDER.index(severity):
            severity = rule.severity
    clauses = tuple(snapshot.clauses[c] for c in cites)
    return Decision(
        action=action,
        rules=tuple(rule.id for rule, _ in matched),
        clauses=clauses,
        explanation=_explain(event, winner, winner_evidence, clauses),
        evidence=tuple(evidence),
        revision=snapshot.revision,
        severity=severity,
        notify=tuple(notify),
        incident=incident,
        tags=tuple(tags),
        event_id=event.id,
    )


def _explain(
    event: Event, rule: CompiledRule, evidence: list[Evidence], clauses: tuple[ClauseInfo, ...]
) -> str:
    because = "; ".join(
        (f"could not check: {e.detail}, so failing closed" if e.unknown else e.detail)
        for e in evidence
    )
    # The explanation names no domain or file: enforcement points share one decision among
    # events of the same kind (the DNS resolver does, per category and group), and show the
    # name themselves.
    head = _VERDICT[rule.action]
    text = f"{head}: {rule.message.rstrip('. ')}" if rule.message else head
    if because:
        text += f" — because {because}"
    return f"{text}.{_citation(clauses)}"


def _citation(clauses: tuple[ClauseInfo, ...]) -> str:
    if not clauses:
        return ""
    first = clauses[0]
    words = first.summary or first.text
    more = f" (and {len(clauses) - 1} more)" if len(clauses) > 1 else ""
    return f" Policy: {first.section} — “{words}” [{first.id}]{more}"
