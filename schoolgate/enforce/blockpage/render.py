"""The block page's HTML, in plain words for a student or a teacher; every value escaped."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schoolgate.enforce.dns.policy import Verdict

REVIEW_PATH = "/_schoolgate/review"

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}blockquote{border-left:4px solid #888;margin:1rem 0;padding:.2rem 1rem;
background:#f4f4f4}dt{font-weight:600;margin-top:.6rem}textarea{width:100%;min-height:5rem}
.small{color:#555;font-size:.85rem}button{font-size:1rem;padding:.4rem 1rem}
"""


def _page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<meta name=robots content=noindex><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    ).encode()


def blocked_page(host: str, verdict: Verdict, token: str, when: float) -> bytes:
    decision = verdict.decision
    rows = [f"<dt>Site</dt><dd>{escape(host)}</dd>"]
    category = _category(verdict)
    if category:
        rows.append(f"<dt>Category</dt><dd>{escape(category)}</dd>")
    if decision is not None:
        rows.append(f"<dt>Rule</dt><dd><code>{escape(decision.rules[0])}</code></dd>")
        because = [e.detail for e in decision.evidence]
        if because:
            items = "".join(f"<li>{escape(b)}</li>" for b in because)
            rows.append(f"<dt>Because</dt><dd><ul>{items}</ul></dd>")
    else:
        rows.append(f"<dt>Why</dt><dd>{escape(verdict.reason)}</dd>")
    policy = ""
    if decision is not None and decision.clauses:
        clause = decision.clauses[0]
        summary = f"<p>In plain words: {escape(clause.summary)}</p>" if clause.summary else ""
        policy = (
            f"<h2>Board policy</h2><p>{escape(clause.section)} "
            f"<span class=small>[{escape(clause.id)}]</span></p>"
            f"<blockquote>“{escape(clause.text)}”</blockquote>{summary}"
        )
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    revision = decision.revision[:12] if decision is not None else "none"
    form = (
        f'<h2>Think this is a mistake?</h2><form method=post action="{REVIEW_PATH}">'
        f'<input type=hidden name=host value="{escape(host)}">'
        f'<input type=hidden name=token value="{escape(token)}">'
        "<label for=why>Tell staff why you need this site (optional):</label>"
        "<textarea id=why name=why maxlength=500></textarea>"
        "<p><button type=submit>Ask for a review</button></p></form>"
    )
    body = (
        f"<h1>This site is blocked on the school network</h1><dl>{''.join(rows)}</dl>"
        f"{policy}{form}<p class=small>Decided {stamp} · policy revision {escape(revision)}"
        " · this visit was recorded.</p>"
    )
    return _page("Blocked: " + host, body)


def not_blocked_page(host: str) -> bytes:
    body = (
        "<h1>Nothing blocked here</h1>"
        f"<p>The school network does not block <b>{escape(host)}</b> for this device right now. "
        "Try loading the site again; if it still fails, tell a teacher.</p>"
    )
    return _page("Not blocked", body)


def review_recorded_page(host: str) -> bytes:
    body = (
        "<h1>Your request was sent</h1>"
        f"<p>Staff will review whether <b>{escape(host)}</b> should be unblocked. "
        "You do not need to ask again.</p>"
    )
    return _page("Review requested", body)


def error_page(title: str, message: str) -> bytes:
    return _page(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")


def _category(verdict: Verdict) -> str | None:
    decision = verdict.decision
    if decision is not None:
        for evidence in decision.evidence:
            if evidence.kind == "category":
                lists = sorted(verdict.categories or ())
                shown = f" (lists: {', '.join(lists)})" if lists else ""
                return f"{evidence.value}{shown}"
    if verdict.categories:
        return ", ".join(sorted(verdict.categories))
    return None
