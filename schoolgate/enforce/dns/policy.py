"""From (client, name, type) to what the resolver does, by asking the engine — and remembering.

No policy lives here: the engine decides, from the pack's rules, whether a name is blocked, why,
and whether SafeSearch or NXDOMAIN applies (rule tags). This module only gathers the facts the
engine needs (the client's group from the networks file, the user from the snapshot's live
address map, the name's list categories from the index and the built-in lists, the time), and
maps the Decision to a DNS outcome.

Decisions are memoised per (network, user, name, type). A memo entry lives until the next moment
the same facts could decide differently: the next minute when the pack has time windows (they
are minute-precise), the next start or end of a sanction or of a site exception in the records;
a new snapshot or index replaces the whole `Decider` and so its memo.

Names of a class (same categories, audience and type) share one decision; `_listed_names` — the
names explicit rules list and the domains site exceptions open — are the only names that change a
decision by name, so the suffixes of a name found among them are part of its class.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol

from schoolgate.enforce.dns.builtin import BYPASS, Builtins
from schoolgate.enforce.dns.memo import Memo
from schoolgate.enforce.dns.networks import Network, Networks
from schoolgate.enforce.dns.wire import TYPE_HTTPS, TYPE_SVCB, type_name
from schoolgate.engine import Decision, Snapshot, decide
from schoolgate.engine.conditions import Attributes, Domains, Window
from schoolgate.engine.events import Event, WebRequest

BLOCKING_ACTIONS: Final = frozenset({"block", "hold", "require-acknowledgment"})
SAFESEARCH_TAGS: Final = {"safesearch-strict": "strict", "safesearch-moderate": "moderate"}
NXDOMAIN_TAG: Final = "nxdomain"
BYPASS_TAG: Final = "bypass"
# Names remembered with their verdict (~0.25 KB each: ~25 MB at the limit), and
# classes of names (a group's decision for a set of categories: few, but bounded all the same).
MEMO_LIMIT: Final = 100_000
CLASS_LIMIT: Final = 20_000
FOREVER: Final = float("inf")


class CategoryLookup(Protocol):
    """The category index as the resolver uses it: a lower-case name → its list categories."""

    def __call__(self, name: str) -> frozenset[str]: ...


class Outcome:
    FORWARD: Final = "forward"
    BLOCKPAGE: Final = "blockpage"
    NXDOMAIN: Final = "nxdomain"
    SAFESEARCH: Final = "safesearch"


class Verdict(NamedTuple):
    """What to do with one (client group, name, type), and the log record's fixed part.

    `decision` may be shared by every name of the same class (same group, categories, type and
    explicit-name matches): its rules, clauses and evidence are exact for this name, but its
    `explanation` sentence may name another name of the class.
    """

    outcome: str
    action: str
    decision: Decision | None
    categories: frozenset[str] | None
    target: str | None  # SafeSearch CNAME target
    bypass: str | None  # "rule" (a bypass-tagged rule) or "https-record" (HTTPS/SVCB of a block)
    reason: str  # one line, for Extended DNS Errors and the block page
    log_name: bytes  # the log record's name field: b',"name":"…"'
    log_tail: bytes  # the rest of the record, shared by the names of a class: b',"user":…}'
    expires: float
    network: Network
    user: str | None

    @property
    def blocked(self) -> bool:
        return self.outcome in (Outcome.BLOCKPAGE, Outcome.NXDOMAIN)


@dataclass(frozen=True, slots=True)
class PolicyState:
    """Everything a decision depends on; replaced whole on reload, never changed in place."""

    snapshot: Snapshot | None
    categories: CategoryLookup | None
    networks: Networks
    builtins: Builtins
    block_mode: str = Outcome.BLOCKPAGE  # or Outcome.NXDOMAIN for every block
    index_revision: str | None = None


class _Class(NamedTuple):
    """A decision shared by the names of one class, with what follows from it."""

    decision: Decision
    expires: float
    blocked: bool
    nxdomain: bool
    bypass: str | None
    safesearch: str | None  # the SafeSearch mode its tags ask for
    reason: str


class Decider:
    def __init__(self, state: PolicyState) -> None:
        self.state = state
        self._memo: Memo[tuple[int, str | None, str, int], Verdict] = Memo(MEMO_LIMIT)
        self._classes: Memo[tuple[object, ...], _Class] = Memo(CLASS_LIMIT)
        self._tails: Memo[tuple[object, ...], bytes] = Memo(CLASS_LIMIT)
        snapshot = state.snapshot
        web = snapshot.rules["web"] if snapshot is not None else ()
        conditions = [c for rule in web for _, c in rule.conditions]
        self._timed = any(isinstance(c, Window) for c in conditions)
        self._boundaries = _record_boundaries(snapshot)
        # Names that explicit (`domains:`) rules list: the only way the name itself, rather than
        # its categories, changes a decision. A rule testing web.domain/url as an attribute
        # would make every name its own class, so then nothing is shared.
        # Site exceptions open a domain and its subdomains for some people: like a listed name,
        # a name under an exception domain must never share a decision with other names.
        self._listed_names = frozenset(
            name for c in conditions if isinstance(c, Domains) for name in c.names
        ) | (snapshot.exception_domains if snapshot is not None else frozenset())
        self._share = not any(
            isinstance(c, Attributes)
            and any(path in ("web.domain", "web.url") for path, _, _ in c.expected)
            for c in conditions
        )
        self.decisions = 0  # engine calls, for tests and stats

    def verdict(self, client: str, qname: str, qtype: int, now: float) -> Verdict:
        state = self.state
        network = state.networks.match(client)
        snapshot = state.snapshot
        user = snapshot.addresses.get(client) if snapshot is not None else None
        key = (network.key, user, qname, qtype)
        found = self._memo.get(key)
        if found is not None and found.expires > now:
            return found
        if snapshot is None:
            verdict = self._no_policy(network, user, qname, qtype, self._categories(qname))
        else:
            verdict = self._decide(snapshot, client, network, user, qname, qtype, now)
        self._memo.put(key, verdict)
        return verdict

    def _expiry(self, now: float) -> float:
        until = FOREVER
        if self._timed:
            until = (now // 60 + 1) * 60
        at = bisect.bisect_right(self._boundaries, now)
        if at < len(self._boundaries):
            until = min(until, self._boundaries[at])
        return until

    def _explicit(self, qname: str) -> tuple[str, ...]:
        listed = self._listed_names
        if not listed:
            return ()
        labels = qname.split(".")
        return tuple(s for s in (".".join(labels[i:]) for i in range(len(labels))) if s in listed)

    def _decide(
        self,
        snapshot: Snapshot,
        client: str,
        network: Network,
        user: str | None,
        qname: str,
        qtype: int,
        now: float,
    ) -> Verdict:
        categories = self._categories(qname)
        class_key: tuple[object, ...] | None = None
        found = None
        if self._share:
            class_key = (network.key, user, categories, qtype, self._explicit(qname))
            found = self._classes.get(class_key)
            if found is not None and found.expires <= now:
                found = None
        if found is None:
            found = self._classify(snapshot, client, network, user, qname, qtype, categories, now)
            if class_key is not None:
                self._classes.put(class_key, found)
        target = None
        if found.blocked:
            outcome = Outcome.NXDOMAIN if found.nxdomain else Outcome.BLOCKPAGE
        else:
            outcome = Outcome.FORWARD
            if found.safesearch is not None:
                target = self.state.builtins.safesearch_target(qname, found.safesearch)
                if target is not None:
                    outcome = Outcome.SAFESEARCH
        tail_key = (class_key, outcome) if class_key is not None else None
        tail = self._tails.get(tail_key) if tail_key is not None else None
        if tail is None:
            tail = _log_tail(
                user, network, qtype, categories, found.decision.action, found.decision,
                snapshot.revision, found.bypass, outcome, self.state.index_revision,
            )  # fmt: skip
            if tail_key is not None:
                self._tails.put(tail_key, tail)
        return Verdict(
            outcome,
            found.decision.action,
            found.decision,
            categories,
            target,
            found.bypass,
            found.reason,
            b',"name":' + _json_name(qname),
            tail,
            found.expires,
            network,
            user,
        )

    def _classify(
        self,
        snapshot: Snapshot,
        client: str,
        network: Network,
        user: str | None,
        qname: str,
        qtype: int,
        categories: frozenset[str] | None,
        now: float,
    ) -> _Class:
        """Ask the engine, and read its decision's action and tags as DNS."""
        self.decisions += 1
        event = Event(
            channel="web",
            subject=network.subject(client, user),
            payload=WebRequest(domain=qname, record_type=type_name(qtype), categories=categories),
            time=dt.datetime.fromtimestamp(now, dt.UTC),
        )
        decision = decide(snapshot, event)
        tags = decision.tags
        bypass = "rule" if BYPASS_TAG in tags else None
        blocked = decision.action in BLOCKING_ACTIONS
        nxdomain = blocked and (
            NXDOMAIN_TAG in tags
            or self.state.block_mode == Outcome.NXDOMAIN
            or (categories is not None and BYPASS in categories)
        )
        if blocked and bypass is None and qtype in (TYPE_HTTPS, TYPE_SVCB):
            bypass = "https-record"
        safesearch = None
        if not blocked:
            safesearch = next((SAFESEARCH_TAGS[t] for t in tags if t in SAFESEARCH_TAGS), None)
        rule = decision.rules[0] if decision.rules else None
        clause = decision.clauses[0].id if decision.clauses else None
        reason = f"{decision.action} by rule {rule} [{clause}]"
        sanction = next((e for e in decision.evidence if e.kind == "sanction"), None)
        if blocked and sanction is not None:
            reason += f": {sanction.detail}"
        return _Class(decision, self._expiry(now), blocked, nxdomain, bypass, safesearch, reason)

    def _categories(self, qname: str) -> frozenset[str] | None:
        lookup = self.state.categories
        if lookup is None:
            return None  # unknown: the engine applies each rule's failure mode
        found = lookup(qname)
        extra = self.state.builtins.categories(qname)
        return found | extra if extra else found

    def _no_policy(
        self,
        network: Network,
        user: str | None,
        qname: str,
        qtype: int,
        categories: frozenset[str] | None,
    ) -> Verdict:
        """No valid snapshot: closed networks (students, by default) are blocked, open forwarded."""
        open_ = network.failure == "open"
        outcome = Outcome.FORWARD if open_ else Outcome.BLOCKPAGE
        action = "allow" if open_ else "block"
        reason = (
            f"{action}: no filtering policy is loaded "
            f"(network {network.name} fails {network.failure})"
        )
        tail = _log_tail(
            user, network, qtype, categories, action, None, None, None, outcome,
            self.state.index_revision,
        )  # fmt: skip
        return Verdict(
            outcome, action, None, categories, None, None, reason,
            b',"name":' + _json_name(qname),
            tail, FOREVER, network, user,
        )  # fmt: skip


def _json_name(qname: str) -> bytes:
    if '"' in qname or "\\" in qname:
        return json.dumps(qname).encode()
    return b'"' + qname.encode("ascii", "replace") + b'"'


def _record_boundaries(snapshot: Snapshot | None) -> list[float]:
    """Every moment a sanction or a site exception starts or ends: memo entries expire there."""
    if snapshot is None:
        return []
    moments = set()
    for record in snapshot.users.values():
        for sanction in record.sanctions:
            for when in (sanction.start, sanction.until):
                if when is not None:
                    moments.add(when.timestamp())
    for exceptions in snapshot.exceptions.values():
        for exception in exceptions:
            moments.add(exception.start.timestamp())
            moments.add(exception.until.timestamp())
    return sorted(moments)


def _log_tail(
    user: str | None,
    network: Network,
    qtype: int,
    categories: frozenset[str] | None,
    action: str,
    decision: Decision | None,
    revision: str | None,
    bypass: str | None,
    outcome: str,
    index_revision: str | None,
) -> bytes:
    """The part of a query-log record after the name: the same for every name of a class."""
    rules = list(decision.rules) if decision else ["no-policy"]
    clauses = list(decision.clause_ids) if decision else []
    record = {
        "user": user,
        "network": network.name,
        "school": network.school,
        "type": type_name(qtype),
        "categories": sorted(categories) if categories is not None else None,
        "action": action,
        "answer": outcome,
        "rule": rules[0],
        "rules": rules,
        "clause": clauses[0] if clauses else None,
        "clauses": clauses,
        "revision": revision,
        "lists_revision": index_revision,
        "bypass": bypass is not None,
        "bypass_kind": bypass,
    }
    text = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
    return ("," + text[1:]).encode()
