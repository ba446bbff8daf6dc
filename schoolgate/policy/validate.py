"""Checks across a pack that a schema cannot make: references, coverage, dead and conflicting rules.

Each check is a small function that yields Problems pinned to the YAML position of the offending
value, so a district sees `rules.yaml:41:7: error: …` with a hint, never a stack trace.
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from schoolgate.engine.events import ATTRIBUTE_FIELDS
from schoolgate.engine.parse import EventError, event_from_dict
from schoolgate.engine.vocabulary import (
    ACTION_STRICTNESS,
    CHANNELS,
    CONDITION_CHANNELS,
    PUBLICATION_CONSENTS,
    TIER_RANK,
)
from schoolgate.policy.catalogue import FINDING_KINDS, LIST_CATEGORIES, TEXT_LABELS
from schoolgate.policy.model import Audience, Conditions, Pack, Rule
from schoolgate.policy.problems import Problem
from schoolgate.policy.yamlsource import Locator, PathKey

if TYPE_CHECKING:
    from schoolgate.policy.loader import LoadedPack

Check = Callable[[Pack, Locator], Iterator[Problem]]


def rule_tier(rule: Rule) -> str:
    """The precedence tier a rule falls in, from its conditions (docs/policy-packs.md)."""
    if rule.when.sanctioned is not None:
        return "sanction"
    if rule.when.domains is not None:
        return "explicit"
    return "policy"


def _suggest(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def _unknown(
    locator: Locator, path: PathKey, kind: str, name: str, known: Iterable[str], where: str
) -> Problem:
    known = list(known)
    hint = _suggest(name, known) or (f"declare it in {where}" if where else None)
    return Problem(locator.value(path), f"unknown {kind} {name!r}", hint, code=f"unknown-{kind}")


def _duplicates(pack: Pack, locator: Locator) -> Iterator[Problem]:
    sections: list[tuple[str, list[str]]] = [
        ("clauses", [c.id for c in pack.clauses]),
        ("rules", [r.id for r in pack.rules]),
        ("roles", [r.id for r in pack.roles]),
        ("groups", [g.id for g in pack.groups]),
        ("consents", [c.id for c in pack.consents]),
        ("grants", [g.id for g in pack.grants]),
        ("cases", [c.id for c in pack.cases]),
    ]
    for section, ids in sections:
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in seen:
                first = locator.value((section, seen[ident], "id"))
                yield Problem(
                    locator.value((section, i, "id")),
                    f"duplicate id {ident!r} in {section} (first at {first})",
                    "ids must be unique; give this one a new id",
                    code="duplicate",
                )
            else:
                seen[ident] = i
    channels = Counter(d.channel for d in pack.defaults)
    for i, default in enumerate(pack.defaults):
        if channels[default.channel] > 1:
            yield Problem(
                locator.value(("defaults", i, "channel")),
                f"more than one default for channel {default.channel!r}",
                "keep exactly one default per channel",
                code="duplicate",
            )
            channels[default.channel] = 1
    missing = [c for c in CHANNELS if c not in channels]
    if missing:
        yield Problem(
            locator.key(("defaults",)),
            f"no default for channel(s) {', '.join(missing)}",
            "every channel needs a default decision that cites a clause",
            code="missing-default",
        )


def _clause_references(pack: Pack, locator: Locator) -> Iterator[Problem]:
    clauses = {c.id: c for c in pack.clauses}
    cited: set[str] = set()
    for i, rule in enumerate(pack.rules):
        for j, clause_id in enumerate(rule.cites):
            path = ("rules", i, "cites", j)
            clause = clauses.get(clause_id)
            if clause is None:
                yield _unknown(locator, path, "clause", clause_id, clauses, "clauses")
            elif clause.served == "advisory":
                yield Problem(
                    locator.value(path),
                    f"rule {rule.id!r} enforces clause {clause_id!r}, which is marked advisory",
                    "mark the clause `served: enforced`, or cite another clause",
                    code="advisory-cited",
                )
            cited.add(clause_id)
    for i, default in enumerate(pack.defaults):
        for j, clause_id in enumerate(default.cites):
            if clause_id not in clauses:
                path = ("defaults", i, "cites", j)
                yield _unknown(locator, path, "clause", clause_id, clauses, "clauses")
            cited.add(clause_id)
    for j, clause_id in enumerate(pack.exceptions.cites if pack.exceptions else ()):
        if clause_id not in clauses:
            at: PathKey = ("exceptions", "cites", j)
            yield _unknown(locator, at, "clause", clause_id, clauses, "clauses")
    for i, clause in enumerate(pack.clauses):
        if clause.served == "enforced" and clause.id not in cited:
            yield Problem(
                locator.value(("clauses", i, "served")),
                f"clause {clause.id!r} is marked enforced but no rule cites it",
                "cite it from a rule, or say how it is served (workflow or advisory)",
                code="unserved",
            )


def _audience_problems(
    pack: Pack, locator: Locator, audience: Audience, path: PathKey
) -> Iterator[Problem]:
    roles = {r.id for r in pack.roles}
    groups = {g.id for g in pack.groups}
    for key, names, known, where in (
        ("roles", audience.roles, roles, "roles"),
        ("except_roles", audience.except_roles, roles, "roles"),
        ("groups", audience.groups, groups, "groups"),
        ("except_groups", audience.except_groups, groups, "groups"),
    ):
        for j, name in enumerate(names):
            if name not in known:
                yield _unknown(
                    locator, (*path, key, j), key.removeprefix("except_")[:-1], name, known, where
                )


def _names(pack: Pack, locator: Locator) -> Iterator[Problem]:
    """Every role, group, category, window, consent, grant, label and finding named exists."""
    roles = {r.id for r in pack.roles}
    lists = LIST_CATEGORIES | set(pack.custom_lists)
    for i, role_def in enumerate(pack.roles):
        for j, parent in enumerate(role_def.kind_of):
            if parent not in roles:
                yield _unknown(locator, ("roles", i, "kind_of", j), "role", parent, roles, "roles")
    yield from _role_cycles(pack, locator)
    for i, clause in enumerate(pack.clauses):
        for j, name in enumerate(clause.audience):
            if name not in roles:
                yield _unknown(locator, ("clauses", i, "audience", j), "role", name, roles, "roles")
    for name, category in pack.categories.items():
        for j, list_name in enumerate(category.lists):
            if list_name not in lists:
                path = ("categories", name, "lists", j)
                yield _unknown(locator, path, "list category", list_name, lists, "custom_lists")
    for name in pack.failure.roles:
        if name not in roles:
            yield _unknown(locator, ("failure", "roles", name), "role", name, roles, "roles")
    if pack.acknowledgment is not None:
        yield from _audience_problems(pack, locator, pack.acknowledgment, ("acknowledgment",))
    for name, window in pack.windows.items():
        if window.start == window.end:
            yield Problem(
                locator.value(("windows", name, "end")),
                f"window {name!r} starts and ends at {window.start}: it is never open",
                code="never-fires",
            )
    try:
        zoneinfo.ZoneInfo(pack.metadata.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        yield Problem(
            locator.value(("metadata", "timezone")),
            f"unknown time zone {pack.metadata.timezone!r}",
            "use an IANA name such as America/New_York",
        )
    for i, rule in enumerate(pack.rules):
        yield from _audience_problems(pack, locator, rule.applies_to, ("rules", i, "applies_to"))
        for j, name in enumerate(rule.notify):
            if name not in roles:
                yield _unknown(locator, ("rules", i, "notify", j), "role", name, roles, "roles")
        yield from _condition_names(pack, locator, rule.when, ("rules", i, "when"), rule)


def _role_cycles(pack: Pack, locator: Locator) -> Iterator[Problem]:
    parents = {r.id: set(r.kind_of) for r in pack.roles}
    for i, role in enumerate(pack.roles):
        seen: set[str] = set()
        frontier = set(parents.get(role.id, ()))
        while frontier:
            if role.id in frontier:
                yield Problem(
                    locator.value(("roles", i, "kind_of")),
                    f"role {role.id!r} is, through kind_of, a kind of itself",
                    "remove one link of the cycle",
                )
                break
            seen |= frontier
            frontier = {p for f in frontier for p in parents.get(f, ()) if p not in seen}


def _condition_names(
    pack: Pack, locator: Locator, when: Conditions, path: PathKey, rule: Rule
) -> Iterator[Problem]:
    consents = {c.id for c in pack.consents}
    grants = {g.id for g in pack.grants}
    # (condition, names it lists, names known, kind for messages, where to declare one)
    named: list[tuple[str, list[str] | None, set[str] | frozenset[str], str, str]] = [
        ("categories", when.categories, set(pack.categories), "category", "categories"),
        ("missing_consent", when.missing_consent, consents, "consent", "consents"),
        (
            "unconsented_students",
            when.unconsented_students,
            consents & set(PUBLICATION_CONSENTS),
            "publication consent",
            "consents",
        ),
        ("missing_grant", when.missing_grant, grants, "grant", "grants"),
        ("findings", when.findings, FINDING_KINDS, "finding kind", ""),
    ]
    for key, names, known, kind, where in named:
        for j, name in enumerate(names or ()):
            if name not in known:
                yield _unknown(locator, (*path, key, j), kind, name, known, where)
    for label in when.labels or {}:
        if label not in TEXT_LABELS:
            yield _unknown(locator, (*path, "labels", label), "label", label, TEXT_LABELS, "")
    for key in ("during", "outside"):
        window = getattr(when, key)
        if window is not None and window not in pack.windows:
            yield _unknown(locator, (*path, key), "window", window, pack.windows, "windows")
    for attribute in when.attributes or {}:
        channel, _, field = attribute.partition(".")
        if channel not in ATTRIBUTE_FIELDS or field not in ATTRIBUTE_FIELDS[channel]:
            known_paths = {f"{c}.{f}" for c in rule.channels for f in ATTRIBUTE_FIELDS.get(c, ())}
            yield _unknown(
                locator, (*path, "attributes", attribute), "attribute", attribute, known_paths, ""
            )
        elif channel not in rule.channels:
            yield Problem(
                locator.key((*path, "attributes", attribute)),
                f"attribute {attribute!r} belongs to channel {channel!r}, "
                f"which rule {rule.id!r} does not apply to: the rule can never fire",
                f"add {channel!r} to the rule's channels or remove the condition",
                code="never-fires",
            )


def _present_conditions(when: Conditions) -> list[str]:
    return [name for name in Conditions.model_fields if getattr(when, name) is not None]


def _never_fires(pack: Pack, locator: Locator) -> Iterator[Problem]:
    for i, rule in enumerate(pack.rules):
        path: PathKey = ("rules", i)
        for name in _present_conditions(rule.when):
            usable = CONDITION_CHANNELS[name] & set(rule.channels)
            if not usable:
                on = ", ".join(sorted(CONDITION_CHANNELS[name]))
                yield Problem(
                    locator.key((*path, "when", name)),
                    f"rule {rule.id!r}: condition {name!r} only applies to {on}, "
                    f"not to {', '.join(rule.channels)}: the rule can never fire",
                    "change the rule's channels or the condition",
                    code="never-fires",
                )
        audience = rule.applies_to
        if audience.roles and set(audience.roles) <= set(audience.except_roles):
            yield Problem(
                locator.key((*path, "applies_to", "except_roles")),
                f"rule {rule.id!r} excepts every role it applies to: it can never fire",
                code="never-fires",
            )
        if audience.groups and set(audience.groups) <= set(audience.except_groups):
            yield Problem(
                locator.key((*path, "applies_to", "except_groups")),
                f"rule {rule.id!r} excepts every group it applies to: it can never fire",
                code="never-fires",
            )
        when = rule.when
        if when.during is not None and when.during == when.outside:
            yield Problem(
                locator.key((*path, "when", "outside")),
                f"rule {rule.id!r} asks for both during and outside {when.during!r}",
                code="never-fires",
            )
        low, high = (when.recipients.min, when.recipients.max) if when.recipients else (None, None)
        if low is not None and high is not None and low > high:
            yield Problem(
                locator.value((*path, "when", "recipients")),
                f"rule {rule.id!r}: recipients min is above max",
                code="never-fires",
            )
        for list_name in ("categories", "domains", "findings", "missing_consent", "sanctioned"):
            if getattr(when, list_name) == []:
                yield Problem(
                    locator.value((*path, "when", list_name)),
                    f"rule {rule.id!r}: {list_name} is an empty list, which nothing matches",
                    "list at least one value, or remove the condition",
                    code="never-fires",
                )
    yield from _shadowed(pack, locator)


def role_closure(pack: Pack) -> dict[str, set[str]]:
    """Each role with every broader role it is a kind of."""
    parents = {r.id: set(r.kind_of) for r in pack.roles}
    closure: dict[str, set[str]] = {}
    for role in parents:
        seen = {role}
        frontier = set(parents[role])
        while frontier:
            seen |= frontier
            frontier = {p for f in frontier for p in parents.get(f, ()) if p not in seen}
        closure[role] = seen
    return closure


def _roles_reached(closure: dict[str, set[str]], audience: Audience) -> frozenset[str]:
    """The concrete roles whose holders an audience can include."""
    out = set()
    for role, broader in closure.items():
        if audience.roles and not (broader & set(audience.roles)):
            continue
        if broader & set(audience.except_roles):
            continue
        out.add(role)
    return frozenset(out)


def _reach(pack: Pack) -> list[frozenset[str]]:
    """Each rule's reachable roles, by rule index: computed once per check, not once per pair."""
    closure = role_closure(pack)
    return [_roles_reached(closure, rule.applies_to) for rule in pack.rules]


def _audiences_overlap(
    a: Audience, a_roles: frozenset[str], b: Audience, b_roles: frozenset[str]
) -> bool:
    if not a_roles & b_roles:
        return False
    # Documented assumption: distinct named groups are distinct populations.
    return not (a.groups and b.groups and not set(a.groups) & set(b.groups))


def _audience_covers(
    outer: Audience, outer_roles: frozenset[str], inner_roles: frozenset[str]
) -> bool:
    if outer.groups or outer.except_groups:
        return False
    return inner_roles <= outer_roles


def _shadowed(pack: Pack, locator: Locator) -> Iterator[Problem]:
    """A rule behind an unconditional rule of higher precedence for all its audience never fires."""
    reach = _reach(pack)
    for i, rule in enumerate(pack.rules):
        key = (TIER_RANK[rule_tier(rule)], -rule.priority)
        for k, other in enumerate(pack.rules):
            if other is rule or _present_conditions(other.when):
                continue
            if (TIER_RANK[rule_tier(other)], -other.priority) >= key:
                continue
            if set(rule.channels) <= set(other.channels) and _audience_covers(
                other.applies_to, reach[k], reach[i]
            ):
                yield Problem(
                    locator.value(("rules", i, "id")),
                    f"rule {rule.id!r} can never fire: rule {other.id!r} matches every event it "
                    "could and takes precedence",
                    "narrow the earlier rule or give this one a higher priority",
                    code="never-fires",
                )
                break


def _conditions_overlap(a: Conditions, b: Conditions) -> bool:
    """Could one event meet both sets of conditions, as the district means them? Errs towards yes.

    Two rules naming disjoint categories (or sanction scopes) are taken as meant for different
    cases, even though one name can sit in two lists: for such a name the documented
    strictest-wins order settles it.
    """
    for name in ("categories", "sanctioned"):
        x, y = getattr(a, name), getattr(b, name)
        if x is not None and y is not None and not set(x) & set(y):
            return False
    if (
        a.domains is not None
        and b.domains is not None
        and not any(_domain_related(x, y) for x in a.domains for y in b.domains)
    ):
        return False
    if (
        a.acknowledged is not None
        and b.acknowledged is not None
        and a.acknowledged != b.acknowledged
    ):
        return False
    for x, y in ((a, b), (b, a)):
        if x.during is not None and x.during == y.outside:
            return False
    for path, value in (a.attributes or {}).items():
        other = (b.attributes or {}).get(path)
        if other is not None and not _as_set(value) & _as_set(other):
            return False
    return True


def _as_set(value: object) -> set[object]:
    return set(value) if isinstance(value, list) else {value}


def _domain_related(a: str, b: str) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _conflicts(pack: Pack, locator: Locator) -> Iterator[Problem]:
    """An allow and a stricter rule that can meet with nothing to settle which wins."""
    reach = _reach(pack)
    for (i, a), (j, b) in combinations(enumerate(pack.rules), 2):
        if (a.action == "allow") == (b.action == "allow"):
            continue
        if rule_tier(a) != rule_tier(b) or a.priority != b.priority:
            continue
        if not set(a.channels) & set(b.channels):
            continue
        if not _audiences_overlap(a.applies_to, reach[i], b.applies_to, reach[j]):
            continue
        if not _conditions_overlap(a.when, b.when):
            continue
        allow, other = (a, b) if a.action == "allow" else (b, a)
        later = j
        yield Problem(
            locator.value(("rules", later, "id")),
            f"rules {allow.id!r} (allow) and {other.id!r} ({other.action}) can match the same "
            f"event at the same precedence ({rule_tier(a)} tier, priority {a.priority})",
            "give the one that should win a higher `priority`, or make their audiences or "
            "conditions disjoint",
            code="conflict",
        )
        assert ACTION_STRICTNESS[other.action] > ACTION_STRICTNESS["allow"]


def _cases(pack: Pack, locator: Locator) -> Iterator[Problem]:
    rules = {r.id for r in pack.rules} | {f"default:{c}" for c in CHANNELS}
    clauses = {c.id for c in pack.clauses}
    for i, case in enumerate(pack.cases):
        try:
            event_from_dict(case.event)
        except EventError as exc:
            parts: list[str | int] = []
            for piece in exc.path.replace("]", "").replace("[", ".").split("."):
                if piece:
                    parts.append(int(piece) if piece.isdigit() else piece)
            yield Problem(
                locator.value(("cases", i, "event", *parts)),
                f"case {case.id!r}: {exc}",
                "see docs/policy-packs.md § Events",
                code="bad-event",
            )
        for j, rule_id in enumerate(case.expect.rules):
            if rule_id not in rules:
                yield _unknown(
                    locator, ("cases", i, "expect", "rules", j), "rule", rule_id, rules, "rules"
                )
        for j, clause_id in enumerate(case.expect.cites):
            if clause_id not in clauses:
                path = ("cases", i, "expect", "cites", j)
                yield _unknown(locator, path, "clause", clause_id, clauses, "clauses")


CHECKS: tuple[Check, ...] = (
    _duplicates,
    _clause_references,
    _names,
    _never_fires,
    _conflicts,
    _cases,
)


def validate(loaded: LoadedPack) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(loaded.pack, loaded.locator))
    return problems
