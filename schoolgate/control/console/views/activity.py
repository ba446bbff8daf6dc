# mypy: disallow-untyped-decorators=False, warn-return-any=False
# (Django ships no type information: its view decorators and querysets are Any to mypy.)
"""The filter's event log: search (GET, no JavaScript), keyset pages, and the same search as a
streamed CSV. Events come only from `activity.scope.visible_events`; every person whose events a
page or an export shows is written to the access log before the rows leave the server."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from schoolgate.control.access.log import record_views
from schoolgate.control.activity.csvsafe import safe_row
from schoolgate.control.activity.models import FilterEvent
from schoolgate.control.activity.scope import PURPOSE, visible_events
from schoolgate.control.activity.search import Cursor, EventSearchForm, Search, apply, page
from schoolgate.control.people.models import Person

EXPORT_LIMIT: Final = 100_000
EXPORT_CHUNK: Final = 2_000
CSV_HEADER: Final = (
    "time",
    "person_id",
    "person",
    "client",
    "domain",
    "categories",
    "action",
    "rule",
    "clause",
    "snapshot_revision",
    "bypass",
    "bypass_kind",
)


def _search(request: HttpRequest) -> tuple[EventSearchForm, Search | None]:
    form = EventSearchForm(request.GET or None)
    events = visible_events(request.user)
    if not request.GET:
        return form, Search(events)
    if not form.is_valid():
        return form, None
    return form, apply(events, form.cleaned_data, request.user)


def _log_people(request: HttpRequest, ids: set[int], what: str) -> None:
    if ids:
        people = Person.objects.filter(pk__in=ids)
        record_views(request.user, people, what=what, purpose=PURPOSE, path=request.path)


@login_required
def event_log(request: HttpRequest) -> HttpResponse:
    form, events = _search(request)
    rows: list[FilterEvent] = []
    next_cursor = None
    if events is not None:
        after = Cursor.decode(request.GET.get("after", ""))
        rows, next_cursor = page(events, after)
        _log_people(request, {e.person_id for e in rows if e.person_id}, "activity")
    query = request.GET.copy()
    query.pop("after", None)
    context: dict[str, Any] = {
        "form": form,
        "rows": rows,
        "query": query.urlencode(),
        "next": next_cursor.encode() if next_cursor else "",
        "paged": "after" in request.GET,
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "console/events.html", context)


def _csv_lines(request: HttpRequest, search: Search) -> Iterator[str]:
    """CSV text, chunk by chunk; each chunk's people are logged before it is sent."""

    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield writer.writerow(CSV_HEADER)
    logged: set[int] = set()
    chunk: list[FilterEvent] = []
    rows = search.rows().select_related("person")[:EXPORT_LIMIT]
    for event in rows.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(event)
        if len(chunk) >= EXPORT_CHUNK:
            yield from _csv_chunk(request, writer, chunk, logged)
            chunk = []
    yield from _csv_chunk(request, writer, chunk, logged)


def _csv_chunk(
    request: HttpRequest, writer: Any, chunk: list[FilterEvent], logged: set[int]
) -> Iterator[str]:
    """One chunk's CSV text as one piece, after its new people are written to the access log."""
    new = {e.person_id for e in chunk if e.person_id and e.person_id not in logged}
    _log_people(request, new, "activity-export")
    logged |= new
    lines = []
    for e in chunk:
        person = e.person.display_name if e.person else ""
        cells = [
            e.time.isoformat(),
            e.user_id,
            person,
            e.client,
            e.domain,
            " ".join(e.category_list),
            e.action,
            e.rule,
            e.clause,
            e.revision,
            "yes" if e.bypass else "no",
            e.bypass_kind,
        ]
        lines.append(writer.writerow(safe_row(cells)))
    if lines:
        yield "".join(lines)


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    form, events = _search(request)
    if events is None:
        return render(
            request,
            "console/events.html",
            {"form": form, "rows": [], "query": "", "export_limit": EXPORT_LIMIT},
            status=400,
        )
    response = StreamingHttpResponse(_csv_lines(request, events), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="events.csv"'
    response["Cache-Control"] = "no-store"
    return response


def dashboard_widgets(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's activity part: blocks by category (counts, nothing to log) and the
    latest bypass attempts (people shown by name, so logged)."""
    from django.utils import timezone
    from django.utils.safestring import mark_safe

    from schoolgate.control.activity.chart import svg
    from schoolgate.control.activity.summary import blocks_by_category, recent_bypass

    events = visible_events(request.user)
    chart = blocks_by_category(request.user, timezone.now().date())
    bypass = recent_bypass(events)
    _log_people(request, {e.person_id for e in bypass if e.person_id}, "bypass-attempts")
    return {
        "block_chart": chart,
        "block_chart_svg": mark_safe(svg(chart)),  # noqa: S308 - every text in it is escaped
        "bypass_attempts": bypass,
    }
