# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""The dashboard's activity widgets: blocks by category per day, summed in the database from the
daily rollup the ingester keeps (grouping a fortnight of raw events took seconds at a million),
and the latest bypass attempts from a scoped queryset (a partial index holds only those)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet, Sum

from schoolgate.control.activity.chart import BlockChart, build, last_days
from schoolgate.control.activity.models import DailyBlocks, FilterEvent
from schoolgate.control.activity.scope import EVERYTHING, visible_person_ids

CHART_DAYS: Final = 14
RECENT_BYPASS: Final = 20


def blocks_by_category(
    user: AbstractBaseUser | AnonymousUser, today: dt.date, n_days: int = CHART_DAYS
) -> BlockChart:
    """From the daily rollup, over the people `user` may see (and the unknown, for the roles
    that see every event) — the same scope as `visible_events`."""
    days = last_days(today, n_days)
    rows = DailyBlocks.objects.filter(day__gte=days[0], day__lte=days[-1])
    people = visible_person_ids(user)
    if people is EVERYTHING:
        rows = rows.filter(person_id=DailyBlocks.EVERYONE)
    else:
        rows = rows.filter(person_id__in=people)
    per_category: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[dt.date, int] = defaultdict(int)
    grouped = rows.values_list("day", "category").annotate(n=Sum("count")).order_by()
    for day, category, n in grouped:
        if category == DailyBlocks.TOTAL:
            totals[day] += n
        else:
            per_category[category][day] += n
    return build(days, per_category, totals)


def recent_bypass(events: QuerySet[FilterEvent], n: int = RECENT_BYPASS) -> list[FilterEvent]:
    return list(events.filter(bypass=True).select_related("person").order_by("-time", "-id")[:n])


__all__ = ["CHART_DAYS", "RECENT_BYPASS", "blocks_by_category", "recent_bypass"]
