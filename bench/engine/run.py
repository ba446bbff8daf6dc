"""Engine benchmark: decisions per second on one core, pack compile time, snapshot load time.

A seeded mixed stream of 100,000 events (web-heavy, like a school day) against a pack's snapshot.
Run: `.venv/bin/python bench/engine/run.py [--pack ces] [--events 100000] [--repeat 3]`.
Prints a table and writes bench/results/engine.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from schoolgate.engine import decide, event_from_dict
from schoolgate.engine.snapshot import Snapshot
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.loader import load_pack

CATEGORIES = [
    "games",
    "chat",
    "adult",
    "shopping",
    "press",
    "redirector",
    "vpn",
    "doh",
    "webmail",
    "social_networks",
    "audio-video",
    "gambling",
    "malware",
    "educational_games",
]
ROLES = [["student"], ["student"], ["student"], ["teacher"], ["staff"], ["principal"]]
TIMES = ["2026-10-05T10:15:00-04:00", "2026-10-05T19:30:00-04:00", "2026-10-10T11:00:00-04:00"]


def _subject(rng: random.Random) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "user": f"u{rng.randrange(5000)}",
        "roles": rng.choice(ROLES),
        "grade": str(rng.randint(6, 12)),
        "acknowledged": rng.random() > 0.05,
        "consents": rng.sample(["chat", "listserv", "publish-work"], k=rng.randint(0, 2)),
        "grants": [],
    }
    if rng.random() < 0.02:
        subject["sanctions"] = [{"id": "s", "scope": "network", "reason": "bench"}]
    return subject


def make_events(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    for _ in range(n):
        roll = rng.random()
        base: dict[str, Any] = {"time": rng.choice(TIMES), "subject": _subject(rng)}
        if roll < 0.80:
            cats = rng.sample(CATEGORIES, k=rng.choice([0, 0, 1, 1, 2]))
            events.append(
                {
                    **base,
                    "channel": "web",
                    "web": {"domain": f"h{rng.randrange(10**6)}.example", "categories": cats},
                }
            )
        elif roll < 0.92:
            labels = {label: round(rng.random(), 2) for label in ("offensive", "spam", "threat")}
            findings = rng.sample(["phone", "password", "street-address"], k=rng.choice([0, 0, 1]))
            events.append(
                {
                    **base,
                    "channel": "email",
                    "email": {
                        "recipients": rng.choice([1, 2, 5, 120]),
                        "labels": labels,
                        "findings": findings,
                        "attachments": rng.choice([[], ["notes.pdf"], ["setup.exe"]]),
                        "sender_known": rng.random() > 0.2,
                    },
                }
            )
        elif roll < 0.95:
            kinds = ["publish-work", "publish-full-name", "publish-photo"]
            student = {
                "id": "s1",
                "named_in_full": rng.random() < 0.5,
                "pictured": rng.random() < 0.5,
                "consents": rng.sample(kinds, k=rng.randint(0, 3)),
            }
            events.append(
                {
                    **base,
                    "channel": "publication",
                    "publication": {
                        "students": [student],
                        "teacher_reviewed": rng.random() > 0.3,
                        "principal_approved": rng.random() > 0.3,
                        "labels": {},
                        "findings": [],
                    },
                }
            )
        elif roll < 0.97:
            events.append(
                {
                    **base,
                    "channel": "device",
                    "device": {
                        "personal": rng.random() < 0.5,
                        "registered": rng.random() < 0.5,
                        "antivirus_confirmed": rng.random() < 0.5,
                    },
                }
            )
        elif roll < 0.985:
            events.append(
                {
                    **base,
                    "channel": "software",
                    "software": {
                        "name": "app",
                        "approved": rng.random() < 0.5,
                        "purpose": rng.choice(["instructional", "personal"]),
                    },
                }
            )
        else:
            events.append(
                {
                    **base,
                    "channel": "account",
                    "account": {
                        "action": "sign-in",
                        "shared": rng.random() < 0.1,
                        "remember_password": rng.random() < 0.2,
                    },
                }
            )
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", default="ces")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/engine.json"))
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core, as the issue asks

    compile_times, load_times = [], []
    snapshot: Snapshot | None = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        loaded = load_pack(args.pack)
        t1 = time.perf_counter()
        snapshot = compile_pack(loaded.pack)
        blob = snapshot.to_bytes()
        t2 = time.perf_counter()
        Snapshot.from_bytes(blob)
        t3 = time.perf_counter()
        compile_times.append((t1 - t0, t2 - t1))
        load_times.append(t3 - t2)
    assert snapshot is not None

    raw = make_events(args.events)
    parsed = [event_from_dict(e) for e in raw]
    rates: list[float] = []
    actions: dict[str, int] = {}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for event in parsed:
            decide(snapshot, event)
        elapsed = time.perf_counter() - t0
        rates.append(len(parsed) / elapsed)
    for event in parsed:
        action = decide(snapshot, event).action
        actions[action] = actions.get(action, 0) + 1
    t0 = time.perf_counter()
    for e in raw:
        decide(snapshot, event_from_dict(e))
    with_parse = len(raw) / (time.perf_counter() - t0)
    latencies = []
    for event in parsed[:20_000]:
        t = time.perf_counter_ns()
        decide(snapshot, event)
        latencies.append(time.perf_counter_ns() - t)
    latencies.sort()
    result = {
        "pack": args.pack,
        "revision": snapshot.short_revision,
        "events": len(parsed),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "pack_load_validate_s": statistics.median(c[0] for c in compile_times),
        "compile_s": statistics.median(c[1] for c in compile_times),
        "snapshot_bytes": len(blob),
        "snapshot_load_s": statistics.median(load_times),
        "decisions_per_s": statistics.median(rates),
        "decisions_per_s_runs": [round(r) for r in rates],
        "decisions_per_s_including_json_parse": with_parse,
        "latency_us_p50": latencies[len(latencies) // 2] / 1000,
        "latency_us_p99": latencies[int(len(latencies) * 0.99)] / 1000,
        "actions": actions,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(
        f"pack {args.pack} (revision {result['revision']}), {len(parsed):,} mixed events, one core"
    )
    print(f"  load + validate pack   {result['pack_load_validate_s'] * 1000:8.1f} ms")
    print(f"  compile to snapshot    {result['compile_s'] * 1000:8.1f} ms ({len(blob):,} bytes)")
    print(f"  load snapshot file     {result['snapshot_load_s'] * 1000:8.1f} ms")
    rate, runs = result["decisions_per_s"], result["decisions_per_s_runs"]
    print(f"  decisions/s            {rate:10,.0f}  (runs: {runs})")
    print(f"  incl. JSON event parse {with_parse:10,.0f}")
    p50, p99 = result["latency_us_p50"], result["latency_us_p99"]
    print(f"  latency p50 / p99      {p50:.1f} / {p99:.1f} µs")
    print(f"  actions                {actions}")


if __name__ == "__main__":
    main()
