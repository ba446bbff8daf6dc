# mypy: disallow-subclassing-any=False, warn-return-any=False
# (Django ships no type information: its base classes and querysets are Any to mypy.)
"""The event log's search: a GET form, its filters applied to an already scoped queryset, and
keyset pages (newest first) so page 500 costs what page 1 costs on a million rows.

Every filter narrows a queryset the caller got from `activity.scope.visible_events`; the person
filter searches names among the people the viewer may see, so it can never widen the scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from schoolgate.control.access.scope import visible_people
from schoolgate.control.activity.models import FilterEvent
from schoolgate.control.activity.scope import EVERYTHING, PURPOSE, visible_person_ids
from schoolgate.engine.vocabulary import ACTIONS

PAGE_SIZE: Final = 50
BLOCKED: Final = "blocked"
ACTION_CHOICES: Final = [("", "any"), (BLOCKED, "blocked (any blocking action)")] + [
    (a, a) for a in ACTIONS
]


DATE: Final = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventSearchForm(forms.Form):
    person = forms.CharField(
        required=False, max_length=100, label="Person", help_text="Name or id."
    )
    domain = forms.CharField(
        required=False,
        max_length=255,
        label="Domain",
        help_text="Exact name; start with *. to include its subdomains.",
    )
    category = forms.CharField(required=False, max_length=80, label="Category")
    action = forms.ChoiceField(required=False, choices=ACTION_CHOICES, label="Action")
    bypass = forms.BooleanField(required=False, label="Bypass attempts only")
    since = forms.DateField(required=False, label="From (date)", widget=DATE)
    until = forms.DateField(required=False, label="To (date, inclusive)", widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return data


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the (time, id) of its last row; the next page starts just before."""

    time: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{int(self.time.timestamp() * 1_000_000)}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        micros, _, pk = text.partition(".")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 17 or len(pk) > 19:
            return None
        moment = dt.datetime.fromtimestamp(int(micros) / 1_000_000, dt.UTC)
        return cls(moment, int(pk))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Search:
    """A scoped, filtered queryset and how to walk it newest first.

    A category search is driven by the (category, time) index of the category rows, so its
    conditions on those rows (`tag`) must be applied in the same `filter()` call as the page's
    keyset condition — Django joins a multi-valued relation once per call.
    """

    events: QuerySet[FilterEvent]
    tag: Q | None = None

    @property
    def order(self) -> tuple[str, str]:
        return ("tags__time", "tags__event_id") if self.tag is not None else ("time", "id")

    def rows(self, after: Cursor | None = None) -> QuerySet[FilterEvent]:
        """The matching events newest first, starting after `after`."""
        time_field, id_field = self.order
        condition = self.tag if self.tag is not None else Q()
        if after is not None:
            # time ≤ t AND (time < t OR id < k): the first term is an index range
            condition &= Q(**{f"{time_field}__lte": after.time}) & (
                Q(**{f"{time_field}__lt": after.time}) | Q(**{f"{id_field}__lt": after.id})
            )
        events = self.events.filter(condition) if condition else self.events
        return events.order_by(f"-{time_field}", f"-{id_field}")


def apply(
    events: QuerySet[FilterEvent],
    data: dict[str, Any],
    user: AbstractBaseUser | AnonymousUser,
) -> Search:
    """`events` narrowed by a valid form's `cleaned_data`."""
    person = (data.get("person") or "").strip()
    if person:
        visible = visible_people(user, PURPOSE)
        # an exact id names one person (the class page's and record's links send one); only a
        # text that is no one's id is searched for in names
        people = visible.filter(sourced_id=person)
        if not people.exists():
            people = visible.filter(
                Q(given_name__icontains=person)
                | Q(family_name__icontains=person)
                | Q(preferred_given_name__icontains=person)
            )
        events = events.filter(person_id__in=list(people.values_list("pk", flat=True)[:1000]))
    domain = (data.get("domain") or "").strip().lower().rstrip(".")
    if domain.startswith("*."):
        base = domain[2:]
        events = events.filter(Q(domain=base) | Q(domain__endswith="." + base))
    elif domain:
        events = events.filter(domain=domain)
    action = data.get("action") or ""
    if action == BLOCKED:
        events = events.filter(blocked=True)
    elif action:
        events = events.filter(action=action)
    if data.get("bypass"):
        events = events.filter(bypass=True)
    category = (data.get("category") or "").strip()
    prefix = "tags__" if category else ""
    window = Q()
    if data.get("since"):
        window &= Q(**{f"{prefix}time__gte": _day_start(data["since"])})
    if data.get("until"):
        window &= Q(**{f"{prefix}time__lt": _day_start(data["until"] + dt.timedelta(days=1))})
    if category:
        tag = Q(tags__category=category) & window
        people = visible_person_ids(user)
        if people is not EVERYTHING:
            tag &= Q(tags__person_id__in=people)  # the same scope, tested in the tag index
        return Search(events, tag)
    return Search(events.filter(window) if window else events)


def page(
    search: Search, after: Cursor | None, size: int = PAGE_SIZE
) -> tuple[list[FilterEvent], Cursor | None]:
    """One page newest first, starting after `after`, and the cursor of the next (or None)."""
    rows = list(search.rows(after).select_related("person")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, Cursor(rows[-1].time, rows[-1].id) if more and rows else None


__all__ = ["PAGE_SIZE", "Cursor", "EventSearchForm", "Search", "apply", "page"]
