"""`schoolgate scan` and `schoolgate classify …`: the text reader from the command line.

Output never includes the matched words unless --show-text is given, so a scan of student mail
can be pasted into a ticket without copying the mail (FERPA).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click

from schoolgate.classify.text.analyze import Analysis, analyze, analyze_many, make_context
from schoolgate.classify.text.context import ScanContext
from schoolgate.classify.text.errors import TextScanError
from schoolgate.classify.text.extract import (
    KINDS,
    MAX_BYTES,
    check_binary,
    decode,
    extract,
    guess_kind,
)

DEFAULT_DATA = Path("../shared/data/text")


def _read_bounded(stream: IO[bytes], where: str, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise click.ClickException(f"{where}: larger than the {limit:,}-byte limit (--max-bytes)")
    return data


def _context(roster: Path | None, patterns: tuple[str, ...], require: bool) -> ScanContext:
    names: list[str] = []
    if roster is not None:
        try:
            names = [
                line.split("\t")[0].strip()
                for line in roster.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")
            ]
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{roster}: cannot read the roster: {exc}") from exc
    spec: dict[str, str] = {}
    for i, p in enumerate(patterns):
        name, sep, regex = p.partition("=")
        spec[name if sep else f"district_{i + 1}"] = regex if sep else p
    try:
        return make_context(names, spec, student_id_requires_context=require)
    except TextScanError as exc:
        raise click.ClickException(str(exc)) from exc


def _row(result: Analysis, text: str, show_text: bool) -> dict[str, Any]:
    findings = [f.to_dict() for f in result.findings]
    if show_text:
        for row, finding in zip(findings, result.findings, strict=True):
            row["text"] = text[finding.start : finding.end]
    out: dict[str, Any] = {"labels": {k: round(v, 4) for k, v in result.labels.items()}}
    out["findings"] = findings
    if result.truncated:
        out["truncated"] = list(result.truncated)
    return out


def _table(result: Analysis, text: str, show_text: bool, out: IO[str]) -> None:
    out.write("labels\n")
    for label, score in sorted(result.labels.items(), key=lambda kv: -kv[1]):
        bar = "#" * round(score * 20)
        out.write(f"  {label:<13} {score:6.3f}  {bar}\n")
    out.write(f"findings ({len(result.findings)})\n")
    if not result.findings:
        return
    out.write(f"  {'span':<15} {'entity':<18} {'score':>5}  {'detector/pattern':<40} why\n")
    for f in result.findings:
        span = f"{f.start}-{f.end}"
        rule = f"{f.detector}/{f.pattern}"
        line = f"  {span:<15} {f.entity:<18} {f.score:5.2f}  {rule:<40} {f.explanation}"
        if show_text:
            line += f"  [{text[f.start : f.end]!r}]"
        out.write(line + "\n")


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option(
    "--kind",
    type=click.Choice(("auto", *KINDS)),
    default="auto",
    show_default=True,
    help="How to read SOURCE; auto uses the file extension and the first bytes.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@click.option(
    "--jsonl",
    is_flag=True,
    help="One text per input line in, one JSON object per line out (labels, findings).",
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Student names, one per line ('First Last' or 'Last, First').",
)
@click.option(
    "--student-id",
    "student_ids",
    multiple=True,
    metavar="[NAME=]REGEX",
    help="A district student-id format (repeatable).",
)
@click.option(
    "--student-id-needs-context",
    is_flag=True,
    help="Only flag student ids next to words like 'student id'.",
)
@click.option("--show-text", is_flag=True, help="Include the matched text (student data!).")
@click.option(
    "--max-bytes", type=click.IntRange(1, MAX_BYTES), default=MAX_BYTES, show_default=True
)
def scan(
    source: str,
    kind: str,
    as_json: bool,
    jsonl: bool,
    roster: Path | None,
    student_ids: tuple[str, ...],
    student_id_needs_context: bool,
    show_text: bool,
    max_bytes: int,
) -> None:
    """Scan SOURCE (a file, or - for standard input) for personal information, credentials,
    profanity and the trained labels."""  # fmt: skip
    context = _context(roster, student_ids, student_id_needs_context)
    where = "<stdin>" if source == "-" else source
    try:
        stream: IO[bytes] = sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115
    except OSError as exc:
        raise click.ClickException(f"{source}: {exc.strerror or exc}") from exc
    with stream:
        if jsonl:
            _scan_lines(stream, where, context, show_text, max_bytes)
            return
        data = _read_bounded(stream, where, max_bytes)
    chosen = guess_kind(where, data[:4096]) if kind == "auto" else kind
    try:
        extracted = extract(data, chosen, where)
        result = analyze(extracted.text, context)
    except TextScanError as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in extracted.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        doc = {"source": where, "kind": extracted.kind, "chars": len(extracted.text)}
        doc.update(_row(result, extracted.text, show_text))
        doc["warnings"] = list(extracted.warnings)
        click.echo(json.dumps(doc))
    else:
        click.echo(f"{where}: {extracted.kind}, {len(extracted.text):,} characters")
        _table(result, extracted.text, show_text, sys.stdout)


_BATCH = 256


def _scan_lines(
    stream: IO[bytes], where: str, context: ScanContext, show_text: bool, max_bytes: int
) -> None:
    """One JSON object per input line, scored in batches (the model is cheaper per batch)."""
    pending: list[tuple[int, str, tuple[str, ...]]] = []
    rows: dict[int, dict[str, Any]] = {}

    def flush() -> None:
        results = analyze_many([text for _, text, _ in pending], context) if pending else []
        for (number, text, warnings), result in zip(pending, results, strict=True):
            row: dict[str, Any] = {"line": number}
            row.update(_row(result, text, show_text))
            if warnings:
                row["warnings"] = list(warnings)
            rows[number] = row
        for number in sorted(rows):
            sys.stdout.write(json.dumps(rows[number]) + "\n")
        pending.clear()
        rows.clear()

    for number, raw in enumerate(_bounded_lines(stream, max_bytes), start=1):
        place = f"{where}:{number}"
        if raw is None:
            rows[number] = {"line": number, "error": f"{place}: longer than {max_bytes:,} bytes"}
        else:
            line = raw.rstrip(b"\r\n")
            try:
                check_binary(line, place)
                text, warnings = decode(line, place)
                pending.append((number, text, warnings))
            except TextScanError as exc:
                rows[number] = {"line": number, "error": str(exc)}
        if len(pending) + len(rows) >= _BATCH:
            flush()
    flush()


def _bounded_lines(stream: IO[bytes], limit: int) -> Any:
    """Lines of at most ``limit`` bytes; a longer line yields None and is skipped to its end."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line in bounded reads
                more = stream.readline(limit + 1)
                if not more or more.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


@click.group()
def classify() -> None:
    """The trained text classifier: train it, list its labels."""


@classify.command()
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="The shared labelled text sets.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the model (default: inside the installed package).",
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option(
    "--sample",
    type=click.IntRange(50),
    default=None,
    help="Use at most this many examples of each public set (quick runs and tests).",
)
def train(data: Path, out: Path | None, seed: int, sample: int | None) -> None:
    """Train the label model from DATA and the built-in seed sets."""
    from schoolgate.classify.text.train import TrainConfig
    from schoolgate.classify.text.train import train as run

    target = out or Path(__file__).parent / "weights"
    run(
        TrainConfig(data=data, out=target, seed=seed, sample=sample),
        log=lambda m: click.echo(m, err=True),
    )


@classify.command(name="labels")
def labels_command() -> None:
    """The labels the shipped model scores, with what it was trained on."""
    from schoolgate.classify.text.model import shipped

    model = shipped()
    per_label = model.manifest.get("per_label", {})
    for label in model.labels:
        info = per_label.get(label, {})
        sources = ", ".join(info.get("sources", []))
        click.echo(f"{label:<13} cv-AP {info.get('cv_average_precision', '?')}  from {sources}")
