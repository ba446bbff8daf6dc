"""Micro-benchmark of the compiled category index: compile, file size, load, memory, lookups.

Not a test: run it by hand (`.venv/bin/python bench/lists/run.py`) and read the table. For each size
(100k, 1M, 3M names by default) it builds an index from the shared UT1 copy plus seeded synthetic
names, then, in a fresh child process per measurement so memory figures are not polluted by the
builder, opens the index and times lookups over a mix of listed names, subdomains of listed names
and unlisted names. RSS comes from /proc/self/status (VmRSS = RssAnon + RssFile; the mapped index
pages are RssFile: shared with the page cache and evictable).

    python bench/lists/run.py [--sizes 100000,1000000,3000000] [--queries 60000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from schoolgate.classify.domains.build import IndexBuilder  # noqa: E402
from schoolgate.lists.model import Entry, ImportReport  # noqa: E402
from schoolgate.lists.ut1 import read_ut1  # noqa: E402

UT1 = ROOT.parent / "shared" / "data" / "ut1" / "blacklists.tar.gz"
SEED = 20260817
TLDS = ["com"] * 40 + ["net"] * 8 + ["org"] * 6 + ["fr", "de", "ru", "info", "xyz", "io", "co.uk"]
# The categories missing from the shared copy (adult, malware, phishing) are most of real UT1.
SYNTH_CATEGORIES = ["adult"] * 90 + ["malware"] * 6 + ["phishing"] * 4
SYLLABLES = [a + b for a in "bcdfghjklmnprstvz" for b in "aeiou"] + list(string.digits)


def rss() -> dict[str, int]:
    """Resident memory in kB from /proc/self/status."""
    wanted = {"VmRSS", "RssAnon", "RssFile", "VmHWM"}
    out: dict[str, int] = {}
    with Path("/proc/self/status").open() as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in wanted:
                out[key] = int(value.split()[0])
    return out


def synthetic_names(rnd: random.Random, count: int, avoid: set[str]) -> Iterator[str]:
    made = 0
    while made < count:
        label = "".join(rnd.choices(SYLLABLES, k=rnd.randint(2, 6)))
        if rnd.random() < 0.3:
            label += "-" + "".join(rnd.choices(SYLLABLES, k=rnd.randint(1, 3)))
        name = f"{label}.{rnd.choice(TLDS)}"
        if rnd.random() < 0.15:
            name = f"{rnd.choice(['www', 'm', 'cdn', 'api', 'img'])}.{name}"
        if name in avoid:
            continue
        avoid.add(name)
        made += 1
        yield name


def load_ut1() -> tuple[list[Entry], dict[str, str], float]:
    started = time.perf_counter()
    report = ImportReport()
    entries = list(read_ut1(UT1, report))
    return entries, report.aliases, time.perf_counter() - started


def entries_for(size: int, ut1: list[Entry], rnd: random.Random) -> tuple[list[Entry], list[str]]:
    """`size` distinct names: UT1's (all, or a seeded sample), then synthetic ones."""
    by_name: dict[str, list[Entry]] = {}
    for entry in ut1:
        by_name.setdefault(entry.name, []).append(entry)
    names = list(by_name)
    if len(names) > size:
        names = rnd.sample(names, size)
    chosen = [e for n in names for e in by_name[n]]
    seen = set(by_name)
    extra = list(synthetic_names(rnd, max(0, size - len(names)), seen))
    chosen += [Entry(n, rnd.choice(SYNTH_CATEGORIES)) for n in extra]
    return chosen, names + extra


def queries_for(listed: list[str], rnd: random.Random, count: int) -> list[str]:
    """A third listed names, a third subdomains of listed names, a third unlisted names."""
    third = count // 3
    exact = rnd.choices(listed, k=third)
    subs = [
        f"{rnd.choice(['www', 'a.b', 'img.cdn', 'x'])}.{name}"
        for name in rnd.choices(listed, k=third)
    ]
    unlisted = []
    for name in synthetic_names(rnd, count - 2 * third, set(listed)):
        unlisted.append(f"{rnd.choice(['www', 'a.b', 'api'])}.unlisted-{name}")
    mix = exact + subs + unlisted
    rnd.shuffle(mix)
    return mix


def child(index_path: str, queries_path: str, verify: bool) -> None:
    """Runs in a fresh process: open, measure, print one JSON line."""
    before = rss()
    started = time.perf_counter()
    from schoolgate.classify.domains import CategoryIndex

    index = CategoryIndex.open(index_path, verify=verify)
    load_s = time.perf_counter() - started
    after_load = rss()
    queries = Path(queries_path).read_text().split("\n")
    lookup = index.lookup
    for name in queries[:2000]:  # warm the interpreter's caches, not the index
        lookup(name)
    clock = time.perf_counter_ns
    timer_cost = min(-clock() + clock() for _ in range(1000))
    samples = []
    for name in queries:
        t0 = clock()
        lookup(name)
        samples.append(clock() - t0 - timer_cost)
    rounds = 3
    started, cpu_started = time.perf_counter(), time.thread_time()
    for _ in range(rounds):
        for name in queries:
            lookup(name)
    per_second = rounds * len(queries) / (time.perf_counter() - started)
    per_cpu_second = rounds * len(queries) / (time.thread_time() - cpu_started)
    four = [q for q in queries if q.count(".") == 3]
    four_listed = [q for q in four if index.lookup(q).listed]
    four_unlisted = [q for q in four if not index.lookup(q).listed]

    def median_us(names: list[str]) -> float:
        times = []
        for _ in range(3):
            for name in names:
                t0 = clock()
                lookup(name)
                times.append(clock() - t0 - timer_cost)
        return statistics.median(times) / 1000 if times else float("nan")

    samples.sort()
    print(
        json.dumps(
            {
                "verify": verify,
                "load_s": load_s,
                "rss_before_kb": before,
                "rss_after_load_kb": after_load,
                "rss_after_lookups_kb": rss(),
                "p50_us": samples[len(samples) // 2] / 1000,
                "p99_us": samples[int(len(samples) * 0.99)] / 1000,
                "max_us": samples[-1] / 1000,
                "lookups_per_s": per_second,
                "lookups_per_cpu_s": per_cpu_second,
                "four_label_listed_p50_us": median_us(four_listed[:5000]),
                "four_label_unlisted_p50_us": median_us(four_unlisted[:5000]),
                "queries": len(queries),
                "listed_share": sum(1 for q in queries if index.lookup(q).listed) / len(queries),
            }
        )
    )


def measure(index_path: Path, queries_path: Path, verify: bool) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(index_path), str(queries_path), str(int(verify))],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--queries", type=int, default=60000)
    parser.add_argument("--runs", type=int, default=3, help="Lookup runs per size (median).")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument("--keep", type=Path, help="Keep the index files in this folder.")
    args = parser.parse_args()
    if not UT1.exists():
        sys.exit(f"UT1 copy not found at {UT1}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    ut1, aliases, parse_s = load_ut1()
    print(f"UT1 import (parse {UT1.name}): {len(ut1):,} entries in {parse_s:.1f}s")
    results = []
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sg-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        rnd = random.Random(SEED + size)
        entries, names = entries_for(size, ut1, rnd)
        path = folder / f"index-{size}.sgidx"
        started = time.perf_counter()
        builder = IndexBuilder()
        builder.add_all(entries)
        summary = builder.write(path, aliases=aliases)
        compile_s = time.perf_counter() - started
        queries_path = folder / f"queries-{size}.txt"
        queries_path.write_text("\n".join(queries_for(names, rnd, args.queries)))
        del entries, builder
        verified = measure(path, queries_path, True)
        runs = [measure(path, queries_path, False) for _ in range(args.runs)]
        mapped = dict(runs[0])
        for key in (
            "p50_us",
            "p99_us",
            "lookups_per_s",
            "lookups_per_cpu_s",
            "four_label_listed_p50_us",
            "four_label_unlisted_p50_us",
        ):
            values = sorted(float(run[key]) for run in runs)
            mapped[key] = statistics.median(values)
            mapped[f"{key}_range"] = [values[0], values[-1]]
        row = {
            "size": size,
            "names": summary.names,
            "compile_s": compile_s,
            "file_mb": summary.size / 1e6,
            "verified": verified,
            "unverified": mapped,
        }
        results.append(row)
        print(json.dumps(row))
        if not args.keep:
            path.unlink()
            queries_path.unlink()
    print()
    print(
        f"{'names':>9} {'compile s':>9} {'file MB':>7} {'load s (v/m)':>14} "
        f"{'RSS MB (v/m/after)':>19} {'p50 µs':>6} {'p99 µs':>6} {'lookups/s wall/cpu':>18} "
        f"{'4-label µs':>11}"
    )
    for row in results:
        v, u = row["verified"], row["unverified"]
        assert isinstance(v, dict) and isinstance(u, dict)
        load = f"{v['load_s']:.3f}/{u['load_s']:.4f}"
        mb_v = v["rss_after_load_kb"]["VmRSS"] / 1024
        mb_u = u["rss_after_load_kb"]["VmRSS"] / 1024
        mb_after = u["rss_after_lookups_kb"]["VmRSS"] / 1024
        memory = f"{mb_v:.0f}/{mb_u:.0f}/{mb_after:.0f}"
        four = f"{u['four_label_listed_p50_us']:.1f}/{u['four_label_unlisted_p50_us']:.1f}"
        print(
            f"{row['names']:>9,} {row['compile_s']:>9.1f} {row['file_mb']:>7.1f} {load:>14} "
            f"{memory:>19} {u['p50_us']:>6.1f} {u['p99_us']:>6.1f} "
            f"{u['lookups_per_s']:>8,.0f}/{u['lookups_per_cpu_s']:<9,.0f} {four:>11}"
        )
    print(
        "v = verified open (SHA-256 over the whole file), m = mapped only; RSS after load, and "
        "after the lookups (m); 4-label = listed subdomain/unlisted medians; latencies are the "
        f"median of {args.runs} runs"
    )
    print(
        f"load average at the end {os.getloadavg()[0]:.2f} (other work on the machine adds noise)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4] == "1")
    else:
        main()
