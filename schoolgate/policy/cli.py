"""`schoolgate policy …` and `schoolgate decide`: packs from the command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from schoolgate.engine.decide import Decision
from schoolgate.engine.decide import decide as engine_decide
from schoolgate.engine.parse import EventError, event_from_dict
from schoolgate.engine.snapshot import Snapshot, SnapshotError
from schoolgate.policy.cases import run_cases
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.coverage import coverage as clause_coverage
from schoolgate.policy.coverage import totals
from schoolgate.policy.diff import diff_packs
from schoolgate.policy.loader import LoadedPack, load_pack
from schoolgate.policy.model import Pack
from schoolgate.policy.problems import PackError

FORMATS = click.Choice(["table", "json", "markdown"])


def _load(pack: str, tolerate: frozenset[str] = frozenset()) -> LoadedPack:
    try:
        return load_pack(pack, tolerate)
    except PackError as exc:
        click.echo(str(exc), err=True)
        n = len(exc.problems)
        click.echo(f"{pack}: {n} problem{'s' if n != 1 else ''}; the pack was not loaded", err=True)
        sys.exit(1)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@click.group()
def policy() -> None:
    """Check, test, compare and compile policy packs."""


@policy.command()
@click.argument("pack")
def check(pack: str) -> None:
    """Validate PACK (a shipped name, a directory or a file); errors name file:line:column."""
    loaded = _load(pack)
    p = loaded.pack
    click.echo(
        f"{p.metadata.id} {p.metadata.version}: ok — {len(p.clauses)} clauses, "
        f"{len(p.rules)} rules, {len(p.cases)} cases"
    )


@policy.command("test")
@click.argument("pack")
@click.option("-v", "--verbose", is_flag=True, help="Show every case, not just failures.")
def test_cmd(pack: str, verbose: bool) -> None:
    """Run PACK's decision cases."""
    loaded = _load(pack)
    snapshot = compile_pack(loaded.pack)
    results = run_cases(snapshot, loaded.pack)
    for result in results:
        if verbose or not result.passed:
            mark = "ok  " if result.passed else "FAIL"
            click.echo(f"{mark} {result.case.id}: {result.decision.action}")
            for failure in result.failures:
                click.echo(f"     {failure}")
                click.echo(f"     explanation: {result.decision.explanation}")
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed or not results:
        sys.exit(1)


@policy.command("coverage")
@click.argument("pack")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def coverage_cmd(pack: str, fmt: str) -> None:
    """How each clause of PACK is served; clauses still to configure come first."""
    loaded = _load(pack, tolerate=frozenset({"unserved"}))
    rows = clause_coverage(loaded.pack)
    sums = totals(rows)
    share = 100.0 * sums["served"] / sums["clauses"] if sums["clauses"] else 0.0
    if fmt == "json":
        doc = {
            "pack": loaded.pack.metadata.id,
            "version": loaded.pack.metadata.version,
            "totals": {**sums, "served_percent": round(share, 1)},
            "clauses": [
                {"id": r.id, "section": r.section, "served": r.served, "by": list(r.by), "ok": r.ok}
                for r in rows
            ],
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        click.echo(f"# Coverage of `{loaded.pack.metadata.id}` {loaded.pack.metadata.version}\n")
        click.echo("| clause | section | served | by |\n|---|---|---|---|")
        for r in rows:
            by = ", ".join(r.by) or "**not served**"
            click.echo(f"| `{r.id}` | {r.section} | {r.served} | {by} |")
    else:
        table_rows = [
            [r.id, r.served, _clip(", ".join(r.by)) if r.ok else "NOT SERVED", r.section[:40]]
            for r in rows
        ]
        click.echo(_table(table_rows, ["clause", "served", "by", "section"]))
    click.echo(
        f"\n{sums['served']}/{sums['clauses']} clauses served ({share:.1f} %): "
        f"{sums['enforced']} enforced, {sums['workflow']} by workflow, {sums['advisory']} advisory"
    )


@policy.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--exit-code", is_flag=True, help="Exit 3 when the change is material.")
def diff_cmd(old: str, new: str, fmt: str, exit_code: bool) -> None:
    """What changed from OLD to NEW, and whether everyone must acknowledge again."""
    result = diff_packs(_load(old).pack, _load(new).pack)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        for label, items in (
            ("clauses added", result.clauses_added),
            ("clauses removed", result.clauses_removed),
            ("clauses reworded", result.clauses_reworded),
            ("clauses served differently", result.clauses_reserved),
            ("rules added", result.rules_added),
            ("rules removed", result.rules_removed),
            ("rules changed", [f"{k} ({', '.join(v)})" for k, v in result.rules_changed.items()]),
            ("minor", result.minor),
        ):
            for item in items:
                click.echo(f"{label}: {item}")
        verdict = "material: everyone must acknowledge again" if result.material else "not material"
        click.echo(verdict)
    if exit_code and result.material:
        sys.exit(3)


@policy.command()
def schema() -> None:
    """Print the JSON Schema of the pack format, generated from the code."""
    doc = Pack.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "schoolgate policy pack"
    click.echo(json.dumps(doc, indent=2, sort_keys=True))


@policy.command("compile")
@click.argument("pack")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def compile_cmd(pack: str, output: Path) -> None:
    """Compile PACK into a snapshot file (replaced atomically; a bad pack replaces nothing)."""
    started = time.perf_counter()
    snapshot = compile_pack(_load(pack).pack)
    blob = snapshot.to_bytes()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(blob)
    tmp.replace(output)
    took = (time.perf_counter() - started) * 1000
    click.echo(f"{output}: revision {snapshot.revision} ({len(blob)} bytes, {took:.0f} ms)")


def _snapshot_for(pack: str | None, snapshot_path: Path | None) -> Snapshot:
    if snapshot_path is not None:
        try:
            return Snapshot.from_bytes(snapshot_path.read_bytes())
        except (OSError, SnapshotError) as exc:
            raise click.ClickException(f"{snapshot_path}: {exc}") from None
    if pack is None:
        raise click.UsageError("give --pack PACK or --snapshot FILE")
    return compile_pack(_load(pack).pack)


def _read_events(source: str) -> list[Any]:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        data = json.loads(text)
        assert isinstance(data, list)
        return data
    if "\n{" in text.strip():  # JSON lines
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(text)]


def _show(decision: Decision) -> str:
    lines = [f"action:      {decision.action}", f"rules:       {', '.join(decision.rules)}"]
    for clause in decision.clauses:
        lines.append(f"clause:      {clause.id} — {clause.section}")
        lines.append(f"             “{clause.text}”")
    for evidence in decision.evidence:
        lines.append(f"evidence:    {evidence.kind}: {evidence.detail}")
    if decision.notify:
        lines.append(f"notify:      {', '.join(decision.notify)}")
    if decision.incident:
        lines.append("incident:    opens an incident")
    lines.append(f"explanation: {decision.explanation}")
    lines.append(f"revision:    {decision.revision[:12]}")
    return "\n".join(lines)


@click.command()
@click.option("--pack", help="A shipped pack name or a pack path.")
@click.option(
    "--snapshot", "snapshot_path", type=click.Path(path_type=Path), help="A compiled snapshot."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.argument("event", default="-")
def decide_cmd(pack: str | None, snapshot_path: Path | None, fmt: str, event: str) -> None:
    """Decide EVENT (a JSON file, a JSON list or JSON lines; - for stdin) and explain why."""
    snapshot = _snapshot_for(pack, snapshot_path)
    try:
        raw_events = _read_events(event)
    except (OSError, json.JSONDecodeError, AssertionError) as exc:
        raise click.ClickException(f"{event}: cannot read events: {exc}") from None
    for i, raw in enumerate(raw_events):
        try:
            parsed = event_from_dict(raw)
        except EventError as exc:
            where = f"{event}[{i}]" if len(raw_events) > 1 else event
            raise click.ClickException(f"{where}: {exc}") from None
        decision = engine_decide(snapshot, parsed)
        if fmt == "json":
            click.echo(json.dumps(decision.to_dict(), ensure_ascii=False))
        else:
            if i:
                click.echo("")
            click.echo(_show(decision))


decide = decide_cmd
