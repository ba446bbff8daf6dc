"""Roster import benchmark: a generated district of about 100,000 users with their enrollments,
imported into a fresh database on SQLite and on PostgreSQL; then imported again (nothing
changes, so nothing is written) and the snapshot published from those records.

Run: `.venv/bin/python bench/roster/run.py [--students 38800] [--databases sqlite,postgres]
[--postgres postgres://postgres@127.0.0.1:5432]`. Each database runs in its own process (Django
settings are per process). Prints a table and writes bench/results/roster.json. Not a test.
The target from issue #5 is ≤ 60 s for the first import on each database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
RESULTS = ROOT / "bench" / "results" / "roster.json"
BENCH_DB = "schoolgate_bench"


def child(roster: str) -> None:
    """Runs inside the per-database process: migrate, import twice, publish; print JSON."""
    from django.core.management import call_command

    from schoolgate.control import setup

    setup()
    call_command("migrate", verbosity=0, interactive=False)
    from schoolgate.control.people.models import Enrollment, Person
    from schoolgate.control.people.roster import import_roster
    from schoolgate.control.publication.services import publish

    path = Path(roster)
    started = time.perf_counter()
    first = import_roster(path)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = import_roster(path)
    again_s = time.perf_counter() - started
    started = time.perf_counter()
    published = publish()
    publish_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "users": Person.objects.count(),
                "enrollments": Enrollment.objects.count(),
                "first_import_s": round(first_s, 2),
                "reimport_s": round(again_s, 2),
                "publish_s": round(publish_s, 2),
                "snapshot_users": published.users,
                "created": {k: v.created for k, v in first.counts.items()},
                "first_phases": first.phases,
                "reimport_phases": again.phases,
            }
        )
    )


def _postgres_db(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return f"{base}/{BENCH_DB}"


def run(database: str, roster: Path, data: Path, postgres: str) -> dict[str, object]:
    env = {
        **os.environ,
        "SCHOOLGATE_DATA": str(data / database),
        "DJANGO_SETTINGS_MODULE": "schoolgate.control.settings",
    }
    env.pop("DATABASE_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = _postgres_db(postgres)
    out = subprocess.run(
        [sys.executable, str(HERE), "--child", str(roster)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{database}: benchmark failed\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=38800)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from schoolgate.control.people.oneroster.generate import write

    with tempfile.TemporaryDirectory(prefix="sg-roster-bench-") as tmp:
        roster = Path(tmp) / "roster"
        started = time.perf_counter()
        district = write(roster, args.students, args.seed)
        generated = time.perf_counter() - started
        print(
            f"generated {len(district.users)} users, {len(district.enrollments)} enrollments "
            f"in {generated:.1f} s"
        )
        results = {}
        for database in args.databases.split(","):
            results[database] = run(database, roster, Path(tmp), args.postgres)
            r = results[database]
            print(
                f"{database:<9} first import {r['first_import_s']:>6.1f} s   re-import "
                f"{r['reimport_s']:>5.1f} s   publish {r['publish_s']:>5.1f} s   "
                f"({r['users']} users, {r['enrollments']} enrollments)"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "students": args.students,
                "seed": args.seed,
                "users": len(district.users),
                "enrollments": len(district.enrollments),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
