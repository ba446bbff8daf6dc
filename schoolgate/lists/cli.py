"""`schoolgate lists`: import lists into the compiled index, update UT1, look names up, show stats.

The command prints what an operator needs to trust an import: names per category, and every kind
of line it could not use with where to find examples. Bad lines never stop an import; a source that
cannot be read at all does, before anything is written.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from schoolgate.classify.domains.build import BuildSummary, IndexBuilder
from schoolgate.classify.domains.index import CategoryIndex
from schoolgate.classify.domains.layout import IndexFormatError
from schoolgate.lists.model import ImportReport, Scope, Severity
from schoolgate.lists.sources import (
    SourceError,
    SourceSpec,
    detect_format,
    parse_spec,
    read_source,
)
from schoolgate.lists.update import (
    DEFAULT_MIN_RATIO,
    DEFAULT_MIN_SIZE,
    DEFAULT_URL,
    UpdateError,
    update_ut1,
)
from schoolgate.lists.ut1 import UT1Error

DEFAULT_INDEX = Path("var/lists/index.sgidx")
DEFAULT_STATE = Path("var/lists")
UT1_ATTRIBUTION = (
    "UT1 blacklists © Université Toulouse 1 Capitole (Fabrice Prigent), CC BY-SA 4.0 — "
    "https://dsi.ut-capitole.fr/blacklists/"
)

index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    envvar="SCHOOLGATE_LISTS_INDEX",
    show_default=True,
    help="The compiled index file.",
)


@click.group()
def lists() -> None:
    """Category lists (UT1, hosts, plain, Adblock, RPZ) and the compiled index the filter reads."""


def _specs(
    sources: tuple[str, ...], allow: tuple[str, ...], notes: list[str] | None = None
) -> list[SourceSpec]:
    """Parse the specs and settle each format now, so a missing file stops us before any work."""
    try:
        specs = [parse_spec(s) for s in sources] + [parse_spec(s, allow=True) for s in allow]
        settled = []
        for spec in specs:
            if not spec.format:
                spec = replace(spec, format=detect_format(spec.path))
                if notes is not None:
                    notes.append(f"{spec.path}: read as {spec.format} (detected)")
            settled.append(spec)
        return settled
    except SourceError as exc:
        raise click.BadParameter(str(exc)) from exc


@lists.command("import")
@click.argument("sources", nargs=-1)
@click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="SPEC",
    help="A list whose every entry is an allow-exception (same SPEC syntax). Repeatable.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    show_default=True,
    help="Where to write the compiled index (replaced atomically).",
)
@click.option(
    "--ut1-white",
    type=click.Choice(["allow", "category"]),
    default="category",
    show_default=True,
    help="UT1 lists whose usage is only 'white': ordinary categories the policy pack may allow "
    "(the default), or allow-exceptions that override every block list.",
)
@click.option(
    "--plain-match",
    type=click.Choice(["subtree", "exact"]),
    default="subtree",
    show_default=True,
    help="What a bare name in a plain list covers: the name and its subdomains, or the name only.",
)
@click.option("--origin", help="RPZ zone origin, when the zone file has no $ORIGIN or SOA.")
@click.option("--show", default=20, show_default=True, help="Problem lines to print (0: none).")
@click.option("--strict", is_flag=True, help="Exit 1 if any line was bad (after writing).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_(
    sources: tuple[str, ...],
    allow: tuple[str, ...],
    out: Path,
    ut1_white: str,
    plain_match: str,
    origin: str | None,
    show: int,
    strict: bool,
    as_json: bool,
) -> None:
    """Import SOURCES into one compiled index.

    Each SOURCE is [FORMAT:]PATH[=CATEGORY], FORMAT one of ut1, hosts, plain, adblock, rpz
    (guessed when left out). CATEGORY defaults to the file name; for UT1 it may be a comma list
    of the categories to keep (UT1 folders are the categories otherwise).

    \b
    Examples:
      schoolgate lists import ../shared/data/ut1/blacklists.tar.gz
      schoolgate lists import ut1:blacklists/ adblock:ads.txt=ads --allow plain:district-ok.txt
    """
    report = ImportReport(detail_limit=max(show, 1))
    specs = _specs(sources, allow, report.notes)
    if not specs:
        raise click.UsageError("give at least one source (see --help)")
    builder = IndexBuilder()
    started = time.perf_counter()
    scope = Scope.EXACT if plain_match == "exact" else Scope.SUBTREE
    for spec in specs:
        try:
            builder.add_all(
                read_source(
                    spec,
                    report,
                    white_as_allow=ut1_white == "allow",
                    origin=origin,
                    plain_scope=scope,
                )
            )
        except (SourceError, UT1Error, OSError) as exc:
            raise click.ClickException(f"{spec}: {exc} (nothing was written)") from exc
    parsed = time.perf_counter() - started
    if not len(builder):
        raise click.ClickException("no names in any source; the index was not written")
    meta = {
        "lines": report.lines,
        "bad_lines": report.bad_lines,
        "skipped_lines": report.skipped_lines,
        "import_seconds": round(parsed, 3),
    }
    try:
        summary = builder.write(
            out, aliases=report.aliases, sources=[str(s) for s in specs], meta=meta
        )
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot write the index: {exc}") from exc
    uses_ut1 = any(spec.format == "ut1" for spec in specs)
    if as_json:
        click.echo(json.dumps(_summary_json(summary, report, parsed), indent=2))
    else:
        _print_summary(summary, report, parsed, show, uses_ut1)
    if strict and report.bad_lines:
        raise SystemExit(1)


def _summary_json(summary: BuildSummary, report: ImportReport, parsed: float) -> dict[str, Any]:
    return {
        "index": str(summary.path),
        "revision": summary.revision,
        "names": summary.names,
        "entries": summary.entries,
        "duplicates": summary.duplicates,
        "size": summary.size,
        "import_seconds": round(parsed, 3),
        "compile_seconds": round(summary.seconds, 3),
        "lines": report.lines,
        "categories": summary.counts,
        "aliases": report.aliases,
        "problems": {
            f"{sev.value}: {reason}": n for (sev, reason), n in report.problem_counts.most_common()
        },
        "normalised": dict(report.normalised),
        "notes": report.notes,
        "examples": [str(p) for p in report.problems],
    }


def _print_summary(
    summary: BuildSummary, report: ImportReport, parsed: float, show: int, uses_ut1: bool
) -> None:
    echo = click.echo
    echo(f"{'category':<28} {'blocks':>10} {'allows':>10}")
    for category, counts in sorted(summary.counts.items()):
        echo(f"{category:<28} {counts['block']:>10,} {counts['allow']:>10,}")
    if report.aliases:
        pairs = ", ".join(f"{a} → {t}" for a, t in sorted(report.aliases.items()))
        echo(f"aliases: {pairs}")
    echo(
        f"\n{report.lines:,} lines read, {summary.entries:,} entries, {summary.names:,} distinct "
        f"names ({summary.duplicates:,} duplicates merged); {report.bad_lines:,} bad lines, "
        f"{report.skipped_lines:,} skipped"
    )
    for fix, n in report.normalised.most_common():
        echo(f"  normalised: {fix}: {n:,}")
    for (severity, reason), n in report.problem_counts.most_common():
        echo(f"  {severity.value}: {reason}: {n:,}")
    for note in report.notes:
        echo(f"  note: {note}")
    if show and report.problems:
        shown = sorted(report.problems, key=lambda p: (p.severity is not Severity.BAD, p.source))
        echo(f"\nfirst problems (up to {show} of each kind per file are kept):")
        for problem in shown[:show]:
            echo(f"  {problem}")
        if len(shown) > show:
            echo(f"  … {len(shown) - show} more kept (raise --show to see them)")
    echo(
        f"\nwrote {summary.path} ({summary.size / 1e6:.1f} MB, revision {summary.revision[:16]}) "
        f"in {parsed:.1f}s reading + {summary.seconds:.1f}s compiling"
    )
    if uses_ut1:
        echo(UT1_ATTRIBUTION)


@lists.command()
@click.option("--url", default=DEFAULT_URL, show_default=True, envvar="SCHOOLGATE_UT1_URL")
@click.option("--sha256", help="Expected SHA-256 of the tarball (refuse anything else).")
@click.option(
    "--md5-url",
    default="auto",
    show_default=True,
    help="Published MD5 file: 'auto' tries URL.md5 and goes on without it, 'none' skips it.",
)
@click.option("--min-size", default=DEFAULT_MIN_SIZE, show_default=True, help="Bytes.")
@click.option(
    "--min-ratio",
    default=DEFAULT_MIN_RATIO,
    show_default=True,
    help="Refuse a download with fewer names than this share of the current index's.",
)
@click.option(
    "--dir",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_STATE,
    show_default=True,
    help="Where the last good tarball and its state are kept.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    show_default=True,
)
@click.option("--also", multiple=True, metavar="SPEC", help="Another list to build in.")
@click.option("--also-allow", multiple=True, metavar="SPEC", help="Another allow list.")
@click.option("--force", is_flag=True, help="Accept a download that shrank below --min-ratio.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds.")
def update(
    url: str,
    sha256: str | None,
    md5_url: str,
    min_size: int,
    min_ratio: float,
    state_dir: Path,
    out: Path,
    also: tuple[str, ...],
    also_allow: tuple[str, ...],
    force: bool,
    timeout: float,
) -> None:
    """Download UT1, check it, and rebuild the index; a bad download changes nothing."""
    try:
        result = update_ut1(
            state_dir=state_dir,
            index_path=out,
            url=url,
            sha256=sha256,
            md5_url=None if md5_url == "none" else md5_url,
            min_size=min_size,
            min_ratio=min_ratio,
            extra=_specs(also, also_allow),
            force=force,
            timeout=timeout,
        )
    except (UpdateError, SourceError, OSError) as exc:
        raise click.ClickException(
            f"update refused: {exc}; the index and last good copy are unchanged"
        ) from exc
    for check in result.checks:
        click.echo(f"  ok: {check}")
    if result.status == "unchanged":
        click.echo(f"unchanged: {out} already built from this download ({result.sha256[:16]})")
        return
    if result.summary is None or result.report is None:
        raise click.ClickException("update finished without a build summary (a bug)")
    click.echo(
        f"updated {out}: {result.summary.names:,} names, revision {result.summary.revision[:16]}; "
        f"last good copy {result.tarball}"
    )
    report = result.report
    click.echo(f"  {report.bad_lines:,} bad lines, {report.skipped_lines:,} skipped")
    click.echo(UT1_ATTRIBUTION)


def _open(index_path: Path) -> CategoryIndex:
    try:
        return CategoryIndex.open(index_path)
    except FileNotFoundError:
        raise click.ClickException(
            f"{index_path}: no index yet (run `schoolgate lists import` or `update`)"
        ) from None
    except IndexFormatError as exc:
        raise click.ClickException(str(exc)) from exc


@lists.command()
@click.argument("names", nargs=-1, required=True)
@index_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per name.")
def lookup(names: tuple[str, ...], index_path: Path, as_json: bool) -> None:
    """Show the categories of each NAME (parent domains and exceptions applied)."""
    with _open(index_path) as index:
        for name in names:
            try:
                match = index.lookup(name)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="NAME") from exc
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "name": name,
                            "categories": sorted(match.categories),
                            "allowed_by": sorted(match.allowed_by),
                            "overridden": sorted(match.overridden),
                            "matched_suffix": match.matched_suffix,
                            "revision": index.revision,
                        }
                    )
                )
                continue
            shown = ",".join(sorted(match.categories)) or "-"
            extra = []
            if match.allowed_by:
                extra.append(f"allowed by {','.join(sorted(match.allowed_by))}")
            if match.overridden:
                extra.append(f"overriding {','.join(sorted(match.overridden))}")
            extra.append(f"listed as {match.matched_suffix}" if match.listed else "not listed")
            click.echo(f"{name}\t{shown}\t({'; '.join(extra)})")


@lists.command()
@index_option
@click.option("--json", "as_json", is_flag=True)
def stats(index_path: Path, as_json: bool) -> None:
    """Revision, size and names per category of the compiled index."""
    with _open(index_path) as index:
        info = index.stats()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"index     {info['path']}")
    click.echo(f"revision  {info['revision']}")
    click.echo(f"created   {info['created']}")
    click.echo(f"names     {info['names']:,}")
    click.echo(f"size      {info['size'] / 1e6:.1f} MB")
    for source in info["sources"]:
        click.echo(f"source    {source}")
    click.echo(f"\n{'category':<28} {'blocks':>10} {'allows':>10}")
    for category, counts in sorted(info["categories"].items()):
        click.echo(f"{category:<28} {counts['block']:>10,} {counts['allow']:>10,}")
    if info["aliases"]:
        pairs = ", ".join(f"{a} → {t}" for a, t in sorted(info["aliases"].items()))
        click.echo(f"aliases: {pairs}")
