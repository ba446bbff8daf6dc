"""Console page timings with a million filter events.

Loads the demo district into a fresh database (SQLite in a temporary data directory, or
PostgreSQL with --postgres), bulk-inserts `--events` minus `--spool-events` filter events with a
realistic mix (people, a long tail of domains, ~5 % blocks, a few bypass attempts, spread over
30 days), writes the remaining `--spool-events` to a real spool and times the ingester reading
them (events/s), then times every console page as every role through Django's test Client:
median and p95 over `--repeat` requests (after one warm-up request).

Run: `.venv/bin/python bench/console/run.py [--events 1000000] [--repeat 10] [--postgres]`.
Prints a Markdown table; writes bench/results/console-<database>.json. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
BENCH_DB = "schoolgate_bench_console"
ROLES = ("student", "guardian", "teacher", "principal", "hr", "technology-manager", "administrator")
DAYS = 30

# (categories, weight, blocked for students): a few heavy allowed sites, a long tail, and the
# categories the demo pack blocks; together ~5 % of requests end in a block.
ALLOWED = [("search-engines",), ("education",), ("news",), ("reference",), ()]
BLOCKED = [("games",), ("adult",), ("social_networks",), ("redirector", "filter-bypass"),
           ("chat",), ("malware",), ("vpn", "filter-bypass"), ("gambling",)]  # fmt: skip


def setup_database(postgres: bool, data: Path) -> str:
    os.environ["SCHOOLGATE_DATA"] = str(data)
    os.environ["SCHOOLGATE_SECRET_KEY"] = "bench-" + "x" * 40
    if postgres:
        import psycopg

        base = "postgres://postgres@127.0.0.1:5432"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = f"{base}/{BENCH_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)
    from django.core.management import call_command

    from schoolgate.control import setup

    setup()
    call_command("migrate", verbosity=0, interactive=False)
    return "postgresql" if postgres else "sqlite"


def domains(rng: random.Random) -> list[tuple[str, tuple[str, ...], bool]]:
    out = []
    for i in range(20_000):
        if i < 600:
            out.append((f"www.blocked{i}.example", BLOCKED[i % len(BLOCKED)], True))
        else:
            out.append((f"site{i}.example", ALLOWED[i % len(ALLOWED)], False))
    return out


def event_stream(n: int, people: list[tuple[int, str, str]], rng: random.Random) -> Any:
    """(time, person pk, user id, domain, categories, action, rule, clause, bypass kind)."""
    pool = domains(rng)
    allowed = [d for d in pool if not d[2]]
    blocked = [d for d in pool if d[2]]
    cumulative, total = [], 0.0
    for i in range(len(allowed)):
        total += 1 / (i + 1)
        cumulative.append(total)
    now = time.time()
    for _ in range(n):
        r = rng.random()
        pk, user, _role = people[rng.randrange(len(people))] if r < 0.9 else (None, "", "")
        if rng.random() < 0.05:
            name, cats, _ = blocked[int(rng.paretovariate(1.2)) % len(blocked)]
            action, rule = "block", f"block-{cats[0]}"
            bypass = "rule" if "filter-bypass" in cats else None
        else:
            name, cats, _ = rng.choices(allowed, cum_weights=cumulative)[0]
            action, rule = "allow", "web-default"
            bypass = "https-record" if rng.random() < 0.001 else None
        at = now - rng.random() * DAYS * 86400
        yield at, pk, user, name, cats, action, rule, bypass


def bulk_insert(n: int, people: list[tuple[int, str, str]], rng: random.Random) -> float:
    """The generated history, through the ingester's own insert (without the spool)."""
    from django.db import transaction

    from schoolgate.control.activity.ingest import store_events
    from schoolgate.control.activity.mapping import EventRow

    started = time.perf_counter()
    rows = []
    for seq, (at, pk, user, name, cats, action, rule, bypass) in enumerate(
        event_stream(n, people, rng)
    ):
        row = EventRow(
            time=dt.datetime.fromtimestamp(at, dt.UTC),
            kind="dns",
            client=f"10.{seq % 200}.{seq % 251}.{seq % 13}",
            user_id=user,
            domain=name,
            categories=cats,
            action=action,
            blocked=action == "block",
            rule=rule,
            clause="ces/internet-safety/filtering-and-monitoring#2",
            revision="ab" * 32,
            network="students",
            answer="blockpage" if action == "block" else "forward",
            record_type="A",
            bypass=bypass is not None,
            bypass_kind=bypass or "",
        )
        rows.append((seq, row, pk))
        if len(rows) == 50_000:
            with transaction.atomic():
                store_events("bench-bulk", rows)
            rows = []
    with transaction.atomic():
        store_events("bench-bulk", rows)
    return time.perf_counter() - started


def spool_ingest(
    n: int, people: list[tuple[int, str, str]], rng: random.Random, tmp: Path
) -> dict[str, float]:
    from schoolgate.control.activity.ingest import ingest
    from schoolgate.spool import FsyncPolicy, SpoolWriter

    directory = tmp / "spool"
    writer = SpoolWriter(directory, fsync=FsyncPolicy.NEVER)
    for at, _pk, user, name, cats, action, rule, bypass in event_stream(n, people, rng):
        tail = {
            "user": user or None, "network": "students", "school": "ms1", "type": "A",
            "categories": list(cats), "action": action,
            "answer": "blockpage" if action == "block" else "forward", "rule": rule,
            "rules": [rule], "clause": "ces/internet-safety/filtering-and-monitoring#2",
            "clauses": [], "revision": "ab" * 32, "lists_revision": None,
            "bypass": bypass is not None, "bypass_kind": bypass,
        }  # fmt: skip
        head = b'{"kind":"dns","time":%.3f,"client":"10.0.0.1","name":"%s"' % (at, name.encode())
        writer.append_bytes(head + ("," + json.dumps(tail, separators=(",", ":"))[1:]).encode())
    writer.close()
    started = time.perf_counter()
    result = ingest(directory)
    seconds = time.perf_counter() - started
    assert result.stored == n, result.summary()
    return {"events": n, "seconds": round(seconds, 2), "events_per_s": round(n / seconds)}


def pages_for(role: str, demo: dict[str, Any]) -> list[tuple[str, str]]:
    from django.contrib.auth.models import User

    from schoolgate.control.access.scope import may, visible_people

    user = User.objects.get(pk=demo["users"][role])
    me = demo["people"][role]
    shown = visible_people(user, "record")
    target = shown.filter(role="student").order_by("sourced_id").first() or shown.first()
    today = dt.datetime.now(dt.UTC).date()
    week = (today - dt.timedelta(days=7)).isoformat()
    # a whole day whatever the hour the bench runs: today's export grows from midnight UTC
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    pages = [
        ("dashboard", "/"),
        ("people", "/people/"),
        ("events", "/events/"),
        ("events ?person", f"/events/?person={me['family_name']}"),
        ("events ?domain", "/events/?domain=site600.example"),
        ("events ?category", "/events/?category=games"),
        ("events ?action=blocked", "/events/?action=blocked"),
        ("events ?bypass", "/events/?bypass=on"),
        ("events ?since&until", f"/events/?since={week}&until={today.isoformat()}"),
        ("events page 2", "PAGE2"),
        (
            "events.csv (1 day, blocked)",
            f"/events.csv?since={yesterday}&until={yesterday}&action=blocked",
        ),
        ("person detail", f"/people/{target.sourced_id}/"),
        ("sanctions", "/sanctions/"),
    ]
    pages.append(("review requests", "/reviews/"))
    if may(user, "approve-review"):
        pages.append(("site exceptions", "/exceptions/"))
    if may(user, "handle-incidents"):
        pages.append(("incidents", "/incidents/"))
    if may(user, "import-roster"):
        pages.append(("roster import", "/roster/import/"))
    if may(user, "see-classes"):
        from schoolgate.control.access.scope import visible_classes

        pages.append(("classes", "/classes/"))
        first = visible_classes(user).order_by("title", "pk").first()
        if first is not None:
            pages.append(("class page", f"/classes/{first.pk}/"))
    if may(user, "review-access-log"):
        pages.append(("access log", "/access-log/"))
    return pages


def time_pages(repeat: int, demo: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    from django.contrib.auth.models import User
    from django.test import Client

    table: dict[str, dict[str, dict[str, float]]] = {}
    for role in ROLES:
        client = Client()
        client.force_login(User.objects.get(pk=demo["users"][role]))
        for name, url in pages_for(role, demo):
            if url == "PAGE2":
                first = client.get("/events/")
                url = f"/events/?after={first.context['next']}"
            samples = []
            for i in range(repeat + 1):
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, (role, url, response.status_code)
                if i:
                    samples.append(elapsed * 1000)
            samples.sort()
            p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
            table.setdefault(name, {})[role] = {
                "median_ms": round(statistics.median(samples), 1),
                "p95_ms": round(p95, 1),
            }
            print(f"  {role:20} {name:30} {statistics.median(samples):8.1f} ms", flush=True)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--spool-events", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="sg-console-bench-") as tmp:
        database = setup_database(args.postgres, Path(tmp))
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.ALLOWED_HOSTS = ["testserver"]
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test Client then keeps each response's context
        from django.contrib.auth.models import User

        from schoolgate.control.activity.models import FilterEvent
        from schoolgate.control.console.demo import create_sign_ins, demo_people, load_district
        from schoolgate.control.people.models import Person

        started = time.perf_counter()
        load_district(students=args.students, seed=1)
        sign_ins = create_sign_ins()
        print(f"district: {Person.objects.count()} people in {time.perf_counter() - started:.1f} s")
        demo = {
            "users": {s.role: User.objects.get(username=s.username).pk for s in sign_ins},
            "people": {r: {"family_name": p.family_name} for r, p in demo_people().items()},
        }
        people = list(Person.objects.values_list("pk", "sourced_id", "role"))
        bulk = args.events - args.spool_events
        seconds = bulk_insert(bulk, people, rng)
        print(f"bulk insert: {bulk} events in {seconds:.1f} s ({bulk / seconds:,.0f}/s)")
        ingest = spool_ingest(args.spool_events, people, rng, Path(tmp))
        print(f"ingest from spool: {ingest}")
        if database == "sqlite":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        total = FilterEvent.objects.count()
        print(f"events stored: {total}")
        table = time_pages(args.repeat, demo)
    load = os.getloadavg()
    result = {
        "database": database,
        "events": total,
        "ingest": ingest,
        "repeat": args.repeat,
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_after": [round(x, 2) for x in load],
        "pages": table,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"console-{database}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{database}, {total:,} events, median / p95 ms over {args.repeat} requests; "
          f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")  # fmt: skip
    print("| page | " + " | ".join(ROLES) + " |")
    print("|---|" + "---|" * len(ROLES))
    for name, by_role in table.items():
        cells = [
            f"{by_role[r]['median_ms']:.0f} / {by_role[r]['p95_ms']:.0f}" if r in by_role else "—"
            for r in ROLES
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    rate, count, seconds = ingest["events_per_s"], ingest["events"], ingest["seconds"]
    print(f"\ningest: {rate:,} events/s ({count:,} in {seconds} s)")


if __name__ == "__main__":
    main()
