# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Two school weeks of filter activity for the demo district, so that a new user of `make run`
sees the dashboard's chart, the event log and a teacher's review requests filled in.

Nothing here is canned: every query is decided by the engine against the snapshot the console
just published, written to a spool in the resolver's own record format and read by the same
ingesters the running resolver feeds — so the demo shows what the real path stores. Only the
traffic is invented (who asks for which name, when), and `schoolgate console` says so when it
seeds it. It runs once, with the district's first import.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schoolgate.engine import Snapshot, decide
from schoolgate.engine.events import Event, Subject, WebRequest

# (name, list categories, weight): ordinary school traffic, a little that the packs block, and
# the bypass signals a curious student sends.
TRAFFIC: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("www.wikipedia.org", (), 30.0),
    ("www.khanacademy.org", (), 20.0),
    ("docs.google.com", (), 25.0),
    ("www.pbs.org", (), 8.0),
    ("www.nasa.gov", (), 5.0),
    ("games.example", ("games",), 6.0),
    ("arcade.example", ("games",), 3.0),
    ("chat.example", ("chat",), 4.0),
    ("adult.example", ("adult",), 0.5),
    ("proxy.example", ("redirector",), 0.8),
    ("use-application-dns.net", ("schoolgate-bypass",), 0.4),
    ("mask.icloud.com", ("schoolgate-bypass",), 0.3),
)
BLOCKING = frozenset({"block", "hold", "require-acknowledgment"})
DEMO_SIGNER = "schoolgate demo (invented for the demo district)"
# What the demo teacher's students ask to have opened, and why (one per student, in turn).
REVIEWS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("games.example", ("games",), "My teacher assigned a game about fractions on this site."),
    ("chat.example", ("chat",), "This is the chat our robotics club uses with the other school."),
    ("arcade.example", ("games",), "We need this site for the history project's timeline game."),
)


@dataclass(frozen=True)
class Seeded:
    signed: int
    queries: int
    blocked: int
    reviews: int

    def summary(self) -> str:
        return (
            f"demo activity: {self.signed} people's agreements signed for them, "
            f"{self.queries:,} invented queries over the last 14 days decided by the published "
            f"pack ({self.blocked:,} blocked), and {self.reviews} review requests"
        )


def school_moments(
    rng: random.Random, now: dt.datetime, days: int, count: int
) -> list[dt.datetime]:
    """`count` times on the weekdays of the last `days` days, between 8:00 and 15:00 local, and
    never after `now`: today counts only for the part of its school day that has passed, so a
    demo started before the bell does not pile today's share of queries onto one moment."""
    windows: list[tuple[dt.datetime, int]] = []  # (start, seconds) of each school day so far
    for back in range(days):
        day = (now - dt.timedelta(days=back)).date()
        if day.weekday() >= 5:
            continue
        start = dt.datetime.combine(day, dt.time(8), tzinfo=now.tzinfo)
        end = min(dt.datetime.combine(day, dt.time(15), tzinfo=now.tzinfo), now)
        if end > start:
            windows.append((start, int((end - start).total_seconds())))
    if not windows:
        return []
    chosen = rng.choices(windows, weights=[length for _, length in windows], k=count)
    return sorted(start + dt.timedelta(seconds=rng.randrange(length)) for start, length in chosen)


def dns_record(
    snapshot: Snapshot,
    user: str,
    name: str,
    categories: tuple[str, ...],
    at: dt.datetime,
    client: str = "10.20.0.1",
) -> dict[str, Any]:
    """The record the resolver would log for this query (enforce/dns/policy.py `_log_tail`)."""
    event = Event(
        channel="web",
        subject=Subject(user=user),
        payload=WebRequest(domain=name, categories=frozenset(categories)),
        time=at,
    )
    decision = decide(snapshot, event)
    blocked = decision.action in BLOCKING
    bypass = "bypass" in decision.tags
    return {
        "kind": "dns",
        "time": round(at.timestamp(), 3),
        "client": client,
        "name": name,
        "user": user,
        "network": "demo",
        "type": "A",
        "categories": list(categories),
        "action": decision.action,
        "answer": ("nxdomain" if bypass else "blockpage") if blocked else "forward",
        "rule": decision.rules[0] if decision.rules else None,
        "rules": list(decision.rules),
        "clause": decision.clauses[0].id if decision.clauses else None,
        "clauses": [c.id for c in decision.clauses],
        "revision": decision.revision,
        "bypass": bypass,
        "bypass_kind": "rule" if bypass else None,
    }


def invent(
    snapshot: Snapshot,
    users: list[str],
    reviewers: list[str],
    *,
    now: dt.datetime,
    queries: int = 6000,
    seed: int = 1,
    addresses: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The spool records of the demo's two weeks: `queries` DNS decisions by `users`, then a
    review request from each of `reviewers` for a name the pack blocked for them."""
    rng = random.Random(seed)
    where = addresses or {}
    names = [t[:2] for t in TRAFFIC]
    weights = [t[2] for t in TRAFFIC]
    records = []
    for at in school_moments(rng, now, 14, queries):
        name, categories = rng.choices(names, weights)[0]
        user = rng.choice(users)
        client = where.get(user) or f"10.99.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        records.append(dns_record(snapshot, user, name, categories, at, client))
    # the latest school moments, newest first: a request is asked during a lesson, not at night
    asked = school_moments(random.Random(seed + 1), now, 14, 40)[::-1]
    for index, user in enumerate(reviewers):
        name, categories, why = REVIEWS[index % len(REVIEWS)]
        at = asked[index % len(asked)]  # fourteen days always hold past school hours
        logged = dns_record(snapshot, user, name, categories, at, where.get(user, "10.20.0.1"))
        records.append(logged)
        if logged["action"] in BLOCKING:
            records.append(
                {
                    "kind": "review-request",
                    "time": logged["time"] + 30,
                    "client": logged["client"],
                    "user": user,
                    "name": name,
                    "rule": logged["rule"],
                    "clause": logged["clause"],
                    "revision": logged["revision"],
                    "why": why,
                }
            )
    return records


def seed_history(data_dir: Path, snapshot_path: Path, seed: int = 1) -> Seeded | None:
    """Invent, spool and ingest the demo's activity; None when there is no snapshot to decide
    with. Uses a spool of its own (removed afterwards), never the resolver's."""
    from django.utils import timezone

    from schoolgate.control.activity.ingest import ingest as ingest_events
    from schoolgate.control.console.demo import demo_people
    from schoolgate.control.networks.services import address_map
    from schoolgate.control.people.models import Person
    from schoolgate.control.people.services import students_of
    from schoolgate.control.publication.services import publish_pending
    from schoolgate.control.reviews.ingest import ingest as ingest_reviews
    from schoolgate.spool import FsyncPolicy, SpoolWriter

    people = demo_people()
    students = list(
        Person.objects.filter(role="student", active=True)
        .order_by("sourced_id")
        .values_list("sourced_id", flat=True)[:200]
    )
    staff = list(
        Person.objects.filter(role="teacher", active=True)
        .order_by("sourced_id")
        .values_list("sourced_id", flat=True)[:30]
    )
    reviewers: list[str] = []
    if "teacher" in people:
        taught = students_of(people["teacher"]).order_by("sourced_id")
        reviewers = list(taught.values_list("sourced_id", flat=True)[:3])
    users = students + staff
    if not users:
        return None
    signed = _sign_for(set(users) | set(reviewers), keep=people.values())
    publish_pending(snapshot_path)
    if not snapshot_path.exists():
        return None
    snapshot = Snapshot.from_bytes(snapshot_path.read_bytes())
    now = timezone.now().astimezone(snapshot.timezone)  # school hours are the district's
    # Each invented user asks from the address the records give them, where they have one.
    addresses = {user: address for address, user in sorted(address_map().items())}
    records = invent(snapshot, users, reviewers, now=now, seed=seed, addresses=addresses)
    spool = data_dir / "demo-history-spool"
    shutil.rmtree(spool, ignore_errors=True)
    writer = SpoolWriter(spool, fsync=FsyncPolicy.NEVER)
    for record in records:
        writer.append_bytes(json.dumps(record, separators=(",", ":")).encode())
    writer.close()
    try:
        ingest_events(spool)
        reviews = ingest_reviews(spool, source="demo")
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    dns = [r for r in records if r["kind"] == "dns"]
    return Seeded(
        signed=signed,
        queries=len(dns),
        blocked=sum(1 for r in dns if r["action"] in BLOCKING),
        reviews=reviews.stored,
    )


def _sign_for(sourced_ids: set[str], keep: Any) -> int:
    """Sign the agreement for the people whose traffic is invented, so the pack decides their
    queries by category rather than holding every one for a missing signature. The people the
    demo signs in as are left alone: signing is part of their work in the demo. Each record
    says it was made by the demo."""
    from schoolgate.control.agreements.services import SigningError, sign
    from schoolgate.control.people.models import Person

    mine = {person.pk for person in keep}
    count = 0
    for person in Person.objects.filter(sourced_id__in=sourced_ids).exclude(pk__in=mine):
        given = person.preferred_given_name or person.given_name
        try:
            sign(person, typed_name=f"{given} {person.family_name}", recorded_by=DEMO_SIGNER)
        except SigningError:
            continue
        count += 1
    return count
