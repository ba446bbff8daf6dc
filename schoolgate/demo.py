"""`schoolgate demo` — what `make run` runs: the policy as software, shown on a few events.

For now it shows how the C.E.S. pack serves every clause of the board's policy and decides a
handful of events from a school day, each with the clause it enforces. Later capabilities (the
DNS filter, the records, the staff console) join here as they land.
"""

from __future__ import annotations

from typing import Any

import click

from schoolgate.engine import decide, event_from_dict
from schoolgate.policy.compiler import compile_pack
from schoolgate.policy.coverage import coverage, totals
from schoolgate.policy.loader import load_pack
from schoolgate.policy.problems import PackError

SCHOOL_DAY = "2026-10-05T10:15:00-04:00"

SAMPLES: list[tuple[str, dict[str, Any]]] = [
    (
        "A 7th grader looks up a game site during class",
        {"channel": "web", "time": SCHOOL_DAY,
         "subject": {"user": "maya.r", "roles": ["student"], "grade": "7", "acknowledged": True},
         "web": {"domain": "www.coolmathgames.example", "categories": ["games"]}},
    ),
    (
        "The same student tries a web proxy",
        {"channel": "web", "time": SCHOOL_DAY,
         "subject": {"user": "maya.r", "roles": ["student"], "grade": "7", "acknowledged": True},
         "web": {"domain": "unblock-anything.example", "categories": ["redirector"]}},
    ),
    (
        "A teacher shops at lunch (incidental personal use)",
        {"channel": "web", "time": "2026-10-05T12:05:00-04:00",
         "subject": {"user": "j.okafor", "roles": ["teacher"], "acknowledged": True},
         "web": {"domain": "www.shop.example", "categories": ["shopping"]}},
    ),
    (
        "A suspended student opens a news site",
        {"channel": "web", "time": SCHOOL_DAY,
         "subject": {"user": "sam.t", "roles": ["student"], "grade": "8", "acknowledged": True,
                     "sanctions": [{"id": "sn-17", "scope": "network",
                                    "reason": "repeated attempts to bypass the filter",
                                    "until": "2026-10-08T00:00:00-04:00"}]},
         "web": {"domain": "news.example", "categories": ["press"]}},
    ),
    (
        "A staff member e-mails a password",
        {"channel": "email", "time": SCHOOL_DAY,
         "subject": {"user": "l.chen", "roles": ["staff"], "acknowledged": True, "grants": []},
         "email": {"recipients": 1, "findings": ["password"], "labels": {}}},
    ),
    (
        "A class page shows a student's photo without a guardian's consent",
        {"channel": "publication", "time": SCHOOL_DAY,
         "subject": {"user": "j.okafor", "roles": ["teacher"], "acknowledged": True},
         "publication": {"kind": "page", "teacher_reviewed": True, "principal_approved": True,
                         "students": [{"id": "jordan.m", "named_in_full": True, "pictured": True,
                                       "consents": ["publish-work"]}]}},
    ),
]  # fmt: skip


@click.command()
@click.option("--pack", default="ces", show_default=True, help="The pack to demonstrate.")
def demo(pack: str) -> None:
    """Show a pack's coverage of its board policy and decide a school day's sample events."""
    try:
        loaded = load_pack(pack)
    except PackError as exc:
        raise click.ClickException(f"the {pack} pack does not load:\n{exc}") from None
    meta = loaded.pack.metadata
    rows = coverage(loaded.pack)
    sums = totals(rows)
    click.secho(f"\n{meta.agency}", bold=True)
    click.echo(f"{meta.title} (Policy {' & '.join(meta.policy_numbers)}), pack {meta.version}")
    click.echo(
        f"{sums['served']} of {sums['clauses']} clauses served: {sums['enforced']} enforced by "
        f"{len(loaded.pack.rules)} rules, {sums['workflow']} by workflows, "
        f"{sums['advisory']} advisory (acknowledgment and instruction)."
    )
    click.echo(f"Full table: schoolgate policy coverage {pack}\n")
    snapshot = compile_pack(loaded.pack)
    click.echo(f"Snapshot revision {snapshot.short_revision}\n")
    for title, raw in SAMPLES:
        decision = decide(snapshot, event_from_dict(raw))
        colour = {"allow": "green", "block": "red", "hold": "yellow"}.get(decision.action, "cyan")
        click.secho(f"• {title}", bold=True)
        click.secho(f"  {decision.action.upper()}", fg=colour, nl=False)
        click.echo(f"  — rule {', '.join(decision.rules)}")
        click.echo(f"  {decision.explanation}\n")
    click.echo("Try: schoolgate decide --pack ces EVENT.json   ·   schoolgate policy test ces")
