"""DNS filter benchmark: schoolgate against unbound (local-zone and RPZ) and dnsmasq.

Not a test: a script that prints (and writes to bench/dns/results/) a table of load time,
resident memory, max QPS and latency at a fixed 10k QPS, for each peer and list size, each
measured twice in the same run, plus schoolgate's in-process decision latency.

Method (bench/dns/README.md has the longer story):
* Lists: UT1 from ../shared/data/ut1/blacklists.tar.gz (every category's domains), topped up
  with seeded synthetic names to 100k, 1M and 3M domains. Every peer blocks exactly these names
  and their subdomains, answering NXDOMAIN.
* Queries: half blocked (listed names and names under them), half allowed names that a local
  authoritative upstream (unbound answering only from local-data) answers; every peer forwards
  allowed names to that upstream and caches its answers.
* CPU: the peer under test is pinned to core 0, dnsperf and the upstream to core 1 (taskset).
* Load time: from launching the peer to its first correct answer for a listed name. RSS: VmRSS
  after the load runs (and VmHWM, the peak). Max QPS: dnsperf with 500 queries outstanding for
  10 s. Latency: dnsperf at -Q 10000 for 10 s, per-query latencies from its verbose output.

Everything binds 127.0.0.1 and every load run is bounded by dnsperf's -l.

    .venv/bin/python bench/dns/run.py --sizes 100000,1000000,3000000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

ROOT = Path(__file__).resolve().parents[2]
UT1 = ROOT.parent / "shared" / "data" / "ut1" / "blacklists.tar.gz"
RESULTS = Path(__file__).parent / "results"
PEER_CORE = "0"
LOAD_CORE = "1"
QUERIES = 100_000
ALLOWED_POOL = 5_000  # fits every peer's cache (dnsmasq: 10,000 at most)
TLDS = ("com", "net", "org", "info", "biz", "ru", "de", "fr", "io", "xyz", "top", "co.uk")
DEBIAN = {"dnsperf": "dnsperf", "dnsmasq": "dnsmasq-base", "unbound": "unbound"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- set-up --------------------------------------------------------------------------------------


def ensure_peers() -> None:
    """Install the peers from Debian if missing (the benchmark's own dependencies)."""
    missing = [pkg for cmd, pkg in DEBIAN.items() if shutil.which(cmd) is None]
    missing += [] if Path("/usr/sbin/dnsmasq").exists() else ["dnsmasq-base"]
    missing = sorted(set(missing))
    if not missing:
        return
    log(f"installing {' '.join(missing)}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def ut1_domains() -> list[tuple[str, str]]:
    """(name, category) of every UT1 domain line, first category wins, in a stable order."""
    seen: dict[str, str] = {}
    with tarfile.open(UT1) as tar:
        for member in tar:
            parts = member.name.split("/")
            if len(parts) != 3 or not parts[2].startswith("domains") or not member.isfile():
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            category = parts[1]
            for raw in handle:
                name = raw.strip().decode("ascii", "ignore").lower().strip(".")
                if name and not name.startswith("#") and _plain(name) and name not in seen:
                    seen[name] = category
    return sorted(seen.items())


def _plain(name: str) -> bool:
    """Names every peer's configuration syntax accepts (UT1 has a few odd lines)."""
    labels = name.split(".")
    return (
        len(labels) > 1
        and all(0 < len(label) < 64 and not label.startswith("-") for label in labels)
        and all(c.isalnum() or c in "-." for c in name)
        and name.isascii()
    )


def synthetic(count: int, rng: random.Random, taken: set[str]) -> list[tuple[str, str]]:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    out = []
    while len(out) < count:
        label = "".join(rng.choice(letters) for _ in range(rng.randint(6, 14)))
        name = f"{label}.{rng.choice(TLDS)}"
        if rng.random() < 0.3:
            name = f"{rng.choice(('www', 'cdn', 'img', 'm'))}.{name}"
        if name not in taken:
            taken.add(name)
            out.append((name, "adult"))  # the UT1 copy here lacks adult: synthetic stands in
    return out


@dataclass
class Dataset:
    size: int
    folder: Path
    names: list[tuple[str, str]]
    queries: Path
    allowed: list[str]
    probe: str


def make_dataset(size: int, base: list[tuple[str, str]], work: Path) -> Dataset:
    rng = random.Random(size)
    names = list(base)
    rng.shuffle(names)
    names = names[:size]
    if len(names) < size:
        names += synthetic(size - len(names), rng, {n for n, _ in names})
    folder = work / f"d{size}"
    folder.mkdir(parents=True, exist_ok=True)
    allowed = [f"a{i}-{rng.randrange(10**9)}.allowed-bench.net" for i in range(ALLOWED_POOL)]
    lines = []
    for i in range(QUERIES // 2):
        name = names[rng.randrange(len(names))][0]
        lines.append(f"{name} A" if i % 2 else f"www.{name} A")
        lines.append(f"{allowed[rng.randrange(len(allowed))]} A")
    queries = folder / "queries.txt"
    queries.write_text("\n".join(lines) + "\n")
    return Dataset(size, folder, names, queries, allowed, names[0][0])


# -- peers ---------------------------------------------------------------------------------------


def unbound_conf(port: int, body: str, folder: Path, forward: int | None) -> str:
    head = (
        "server:\n"
        f'  interface: 127.0.0.1\n  port: {port}\n  do-daemonize: no\n  username: ""\n'
        f'  chroot: ""\n  directory: "{folder}"\n  pidfile: ""\n  use-syslog: no\n'
        '  logfile: ""\n  verbosity: 0\n  do-ip6: no\n  num-threads: 1\n'
        "  do-not-query-localhost: no\n  access-control: 127.0.0.0/8 allow\n"
        "  qname-minimisation: no\n  msg-cache-size: 64m\n  rrset-cache-size: 128m\n"
        "  so-rcvbuf: 4m\n"
    )
    tail = "remote-control:\n  control-enable: no\n"
    if forward is not None:
        tail += f'forward-zone:\n  name: "."\n  forward-addr: 127.0.0.1@{forward}\n'
    return head + body + tail


class Peer:
    name = "peer"

    def __init__(self, data: Dataset, upstream: int, folder: Path) -> None:
        self.data = data
        self.upstream = upstream
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def prepare(self) -> None:
        """Write the peer's configuration (not timed)."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            ["taskset", "-c", PEER_CORE, *self.command()],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / f"{self.name}.err").open("wb"),
        )
        probe = dns.message.make_query(f"www.{self.data.probe}", "A")
        deadline = started + 900
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                err = (self.folder / f"{self.name}.err").read_text()[-2000:]
                raise RuntimeError(f"{self.name} exited: {err}")
            try:
                answer = dns.query.udp(probe, "127.0.0.1", port=self.port, timeout=0.2)
                if answer.rcode() == dns.rcode.NXDOMAIN:
                    return time.perf_counter() - started
            except (dns.exception.Timeout, OSError):
                pass
            time.sleep(0.02)
        raise TimeoutError(f"{self.name} did not load in 900 s")

    def memory(self) -> tuple[float, float]:
        assert self.process is not None
        pids = [self.process.pid, *_children(self.process.pid)]
        rss = hwm = 0.0
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1]) / 1024
        return rss, hwm

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Upstream(Peer):
    name = "upstream"

    def prepare(self) -> None:
        body = '  local-zone: "." static\n'
        body += "".join(
            f'  local-data: "{n}. 3600 IN A 198.18.{i % 250}.{i // 250 % 250}"\n'
            for i, n in enumerate(self.data.allowed)
        )
        body += f'  local-data: "www.{self.data.probe}. 3600 IN A 198.18.0.1"\n'
        (self.folder / "upstream.conf").write_text(unbound_conf(self.port, body, self.folder, None))

    def command(self) -> list[str]:
        return ["unbound", "-d", "-c", str(self.folder / "upstream.conf")]

    def start(self) -> float:
        self.process = subprocess.Popen(
            ["taskset", "-c", LOAD_CORE, *self.command()],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "upstream.err").open("wb"),
        )
        probe = dns.message.make_query(self.data.allowed[0], "A")
        for _ in range(500):
            try:
                dns.query.udp(probe, "127.0.0.1", port=self.port, timeout=0.2)
                return 0.0
            except (dns.exception.Timeout, OSError):
                time.sleep(0.02)
        raise TimeoutError("upstream did not start")


class UnboundLocalZone(Peer):
    name = "unbound-localzone"

    def prepare(self) -> None:
        conf = self.folder / "localzone.conf"
        with conf.open("w") as out:
            out.write(unbound_conf(self.port, "", self.folder, self.upstream).split("remote")[0])
            for name, _ in self.data.names:
                out.write(f'  local-zone: "{name}." always_nxdomain\n')
            out.write("remote-control:\n  control-enable: no\n")
            out.write(f'forward-zone:\n  name: "."\n  forward-addr: 127.0.0.1@{self.upstream}\n')

    def command(self) -> list[str]:
        return ["unbound", "-d", "-c", str(self.folder / "localzone.conf")]


class UnboundRpz(Peer):
    name = "unbound-rpz"

    def prepare(self) -> None:
        zone = self.folder / "bench.rpz"
        with zone.open("w") as out:
            out.write("$TTL 60\n@ SOA localhost. root.localhost. 1 3600 600 86400 60\n")
            out.write("@ NS localhost.\n")
            for name, _ in self.data.names:
                out.write(f"{name} CNAME .\n*.{name} CNAME .\n")
        body = '  module-config: "respip iterator"\n'
        rpz = f'rpz:\n  name: "rpz.bench"\n  zonefile: "{zone}"\n'
        conf = unbound_conf(self.port, body, self.folder, self.upstream) + rpz
        (self.folder / "rpz.conf").write_text(conf)

    def command(self) -> list[str]:
        return ["unbound", "-d", "-c", str(self.folder / "rpz.conf")]


class Dnsmasq(Peer):
    name = "dnsmasq"

    def prepare(self) -> None:
        conf = self.folder / "dnsmasq.conf"
        with conf.open("w") as out:
            out.write(
                f"port={self.port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\n"
                f"no-hosts\nserver=127.0.0.1#{self.upstream}\ncache-size=10000\n"
                "dns-forward-max=1000\nuser=root\n"
            )
            for name, _ in self.data.names:
                out.write(f"address=/{name}/\n")

    def command(self) -> list[str]:
        return ["dnsmasq", "-k", "-C", str(self.folder / "dnsmasq.conf")]


class Schoolgate(Peer):
    name = "schoolgate"

    def prepare(self) -> None:
        from schoolgate.classify.domains.build import build_index
        from schoolgate.lists.model import Entry

        started = time.perf_counter()
        entries = (Entry(name, category) for name, category in self.data.names)
        build_index(entries, self.folder / "lists.idx")
        self.build_seconds = time.perf_counter() - started
        categories = sorted({c for _, c in self.data.names})
        (self.folder / "pack.yaml").write_text(_bench_pack(categories))
        (self.folder / "networks.yaml").write_text(
            "networks:\n  - {name: bench, cidr: 127.0.0.0/8, roles: [student]}\n"
        )

    def command(self) -> list[str]:
        return [
            str(ROOT / ".venv" / "bin" / "schoolgate"), "dns",
            "--listen", f"127.0.0.1:{self.port}",
            "--upstream", f"127.0.0.1:{self.upstream}",
            "--pack", str(self.folder / "pack.yaml"),
            "--lists", str(self.folder / "lists.idx"),
            "--networks", str(self.folder / "networks.yaml"),
            "--spool", str(self.folder / "spool"),
            "--block-mode", "nxdomain",
        ]  # fmt: skip

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.folder / "spool", ignore_errors=True)


def _bench_pack(categories: list[str]) -> str:
    from schoolgate.policy.catalogue import LIST_CATEGORIES

    lists = [c for c in categories if c in LIST_CATEGORIES]
    return f"""schoolgate: 1
metadata:
  id: bench
  title: Benchmark Policy
  agency: Benchmark
  policy_numbers: ["0"]
  adopted: 2026-01-01
  source: {{document: Benchmark}}
  version: "1"
  timezone: America/New_York
clauses:
  - {{id: b/filter#1, section: Filtering, text: Listed sites are blocked., served: enforced}}
  - {{id: b/general#1, section: General, text: Everything else is allowed., served: enforced}}
roles:
  - {{id: student}}
categories:
  listed: {{description: Every list in the benchmark, lists: {json.dumps(lists)}}}
rules:
  - {{id: listed, cites: [b/filter#1], channels: [web], when: {{categories: [listed]}},
     action: block}}
defaults:
  - {{channel: web, action: allow, cites: [b/general#1]}}
  - {{channel: email, action: allow, cites: [b/general#1]}}
  - {{channel: publication, action: allow, cites: [b/general#1]}}
  - {{channel: device, action: allow, cites: [b/general#1]}}
  - {{channel: software, action: allow, cites: [b/general#1]}}
  - {{channel: account, action: allow, cites: [b/general#1]}}
"""


# -- measuring -----------------------------------------------------------------------------------


def dnsperf(
    port: int, queries: Path, seconds: int, qps: int | None, verbose: bool, once: bool = False
) -> str:
    command = [
        "taskset", "-c", LOAD_CORE, "dnsperf", "-s", "127.0.0.1", "-p", str(port),
        "-d", str(queries), "-l", str(seconds), "-c", "8", "-q", "500", "-t", "2",
    ]  # fmt: skip
    if qps is not None:
        command += ["-Q", str(qps)]
    if verbose:
        command.append("-v")
    if once:
        command += ["-n", "1"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _stat(output: str, label: str) -> float:
    for line in output.splitlines():
        if line.strip().startswith(label):
            return float(line.split(":")[1].split()[0])
    raise ValueError(f"no {label!r} in dnsperf output")


def latency(output: str) -> dict[str, float]:
    values = []
    wrong = 0
    for line in output.splitlines():
        if line.startswith("> "):
            parts = line.split()
            try:
                values.append(float(parts[-1]) * 1000)
            except ValueError:
                continue  # a line without a latency (a timeout)
            blocked = "allowed-bench.net" not in parts[2]
            wrong += (parts[1] == "NXDOMAIN") != blocked
    values.sort()
    if not values:
        return {"avg_ms": float("nan"), "p50_ms": float("nan"), "p99_ms": float("nan")}
    return {
        "avg_ms": statistics.fmean(values),
        "p50_ms": values[len(values) // 2],
        "p99_ms": values[int(len(values) * 0.99)],
        "wrong_answers": wrong,
    }


def measure(peer: Peer, data: Dataset, seconds: int) -> dict[str, float]:
    load = peer.start()
    try:
        # one pass through the query file first: every peer answers from a warm cache after it
        dnsperf(peer.port, data.queries, 120, None, False, once=True)
        top = dnsperf(peer.port, data.queries, seconds, None, False)
        fixed = dnsperf(peer.port, data.queries, seconds, 10_000, True)
        rss, hwm = peer.memory()
    finally:
        peer.stop()
    return {
        "load_s": load,
        "rss_mb": rss,
        "peak_rss_mb": hwm,
        "max_qps": _stat(top, "Queries per second"),
        "lost_pct_at_max": _lost(top),
        "qps_at_10k": _stat(fixed, "Queries per second"),
        **latency(fixed),
    }


def _lost(output: str) -> float:
    for line in output.splitlines():
        if "Queries lost" in line:
            return float(line.split("(")[1].split("%")[0])
    return float("nan")


def decision_latency(data: Dataset, folder: Path, samples: int = 200_000) -> dict[str, float]:
    """In-process: category index lookup + engine decision, without the memo (p50/p99 µs)."""
    from schoolgate.classify.domains import CategoryIndex
    from schoolgate.engine import decide
    from schoolgate.engine.events import Event, Subject, WebRequest
    from schoolgate.policy.compiler import compile_pack
    from schoolgate.policy.loader import load_pack

    snapshot = compile_pack(load_pack(folder / "pack.yaml").pack)
    index = CategoryIndex.open(folder / "lists.idx")
    subject = Subject(roles=frozenset({"student"}))
    rng = random.Random(7)
    names = []
    for _ in range(samples):
        if rng.random() < 0.5:
            names.append(("www." + data.names[rng.randrange(len(data.names))][0]).encode())
        else:
            names.append(data.allowed[rng.randrange(len(data.allowed))].encode())
    clock = time.perf_counter_ns
    timings = []
    for raw in names:
        start = clock()
        categories = index.lookup_bytes(raw).categories
        event = Event("web", subject, WebRequest(raw.decode(), None, "A", categories))
        decide(snapshot, event)
        timings.append(clock() - start)
    timings.sort()
    # The resolver's own path for a name it has not seen: index lookup, then the decision shared
    # by names of the same class (group, categories, type), then the log record's bytes.
    from schoolgate.enforce.dns.builtin import load_builtins
    from schoolgate.enforce.dns.networks import parse_networks
    from schoolgate.enforce.dns.policy import Decider, PolicyState

    state = PolicyState(
        snapshot,
        lambda name: index.lookup_bytes(name.encode()).categories,
        parse_networks((folder / "networks.yaml").read_text()),
        load_builtins(),
    )
    decider = Decider(state)
    now = time.time()
    resolver_path = []
    for raw in dict.fromkeys(names):  # each name once: no per-name memo hit
        text = raw.decode()
        start = clock()
        decider.verdict("127.0.0.1", text, 1, now)
        resolver_path.append(clock() - start)
    resolver_path.sort()
    return {
        "p50_us": timings[len(timings) // 2] / 1000,
        "p99_us": timings[int(len(timings) * 0.99)] / 1000,
        "max_us": timings[-1] / 1000,
        "resolver_p50_us": resolver_path[len(resolver_path) // 2] / 1000,
        "resolver_p99_us": resolver_path[int(len(resolver_path) * 0.99)] / 1000,
        "engine_calls": decider.decisions,
    }


# -- main ----------------------------------------------------------------------------------------

PEERS: dict[str, Callable[[Dataset, int, Path], Peer]] = {
    "schoolgate": Schoolgate,
    "unbound-localzone": UnboundLocalZone,
    "unbound-rpz": UnboundRpz,
    "dnsmasq": Dnsmasq,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    ensure_peers()
    work = args.work or Path(tempfile.mkdtemp(prefix="schoolgate-bench-"))
    RESULTS.mkdir(exist_ok=True)
    log(f"reading UT1 from {UT1}")
    base = ut1_domains()
    log(f"{len(base)} distinct UT1 domains")
    results: list[dict[str, object]] = []
    out_file = RESULTS / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    machine = {"cpus": os.cpu_count(), "cpu": _cpu_model(), "python": sys.version.split()[0]}
    for size in (int(s) for s in args.sizes.split(",")):
        data = make_dataset(size, base, work)
        upstream = Upstream(data, 0, data.folder)
        upstream.prepare()
        upstream.start()
        peers = {
            name: PEERS[name](data, upstream.port, data.folder) for name in args.peers.split(",")
        }
        for peer in peers.values():
            log(f"{size}: preparing {peer.name}")
            peer.prepare()
        if "schoolgate" in peers:
            build = getattr(peers["schoolgate"], "build_seconds", None)
            decision = decision_latency(data, data.folder)
            results.append(
                {"size": size, "peer": "schoolgate-in-process", "build_s": build, **decision}
            )
            log(f"{size}: in-process decision {decision}")
        try:
            for round_no in (1, 2)[: args.rounds]:
                for peer in peers.values():
                    log(f"{size}: round {round_no}: {peer.name}")
                    row = {"size": size, "peer": peer.name, "round": round_no}
                    try:
                        row.update(measure(peer, data, args.seconds))
                    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
                        row["error"] = str(exc)[:300]
                        peer.stop()
                    results.append(row)
                    log(f"  {row}")
                    out = {"machine": machine, "results": results}
                    out_file.write_text(json.dumps(out, indent=1))
        finally:
            upstream.stop()
        for pattern in ("*.conf", "*.rpz", "lists.idx"):
            for path in data.folder.glob(pattern):
                path.unlink()
    print(table(results))
    log(f"results in {out_file}")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| size | peer | round | load s | RSS MB | max QPS | QPS@10k | avg ms | p99 ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r["peer"] == "schoolgate-in-process":
            continue
        if "error" in r:
            lines.append(f"| {r['size']:,} | {r['peer']} | {r['round']} | failed: {r['error']} |")
            continue
        lines.append(
            f"| {r['size']:,} | {r['peer']} | {r['round']} | {r['load_s']:.2f} | "
            f"{r['rss_mb']:.0f} | {r['max_qps']:,.0f} | {r['qps_at_10k']:,.0f} | "
            f"{r['avg_ms']:.2f} | {r['p99_ms']:.2f} |"
        )
    lines.append("")
    lines.append(
        "| size | index+engine p50 µs | p99 µs | resolver path p50 µs | p99 µs | index build s |"
    )
    lines.append("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r["peer"] == "schoolgate-in-process":
            lines.append(
                f"| {r['size']:,} | {r['p50_us']:.1f} | {r['p99_us']:.1f} | "
                f"{r.get('resolver_p50_us', float('nan')):.1f} | "
                f"{r.get('resolver_p99_us', float('nan')):.1f} | {r['build_s']:.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
