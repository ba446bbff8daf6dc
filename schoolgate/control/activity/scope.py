# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Which events a user may see: those of the people `access.scope.visible_people` gives them for
the "activity" purpose — nothing decided here. Only the roles that see everyone also see the
events no known person made (a guest device, a name the roster never had)."""

from __future__ import annotations

from typing import Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from schoolgate.control.access.scope import EVERYONE_ROLES, viewer, visible_people
from schoolgate.control.activity.models import FilterEvent

PURPOSE = "activity"


EVERYTHING: Final = None


def visible_person_ids(user: AbstractBaseUser | AnonymousUser) -> list[int] | None:
    """The pks of the people whose events `user` may see, or None for every event (the roles
    that see everyone, which includes the events of no known person)."""
    who = viewer(user)
    if who.person is None:
        return []
    if who.roles & EVERYONE_ROLES:
        return EVERYTHING
    return list(visible_people(user, PURPOSE).values_list("pk", flat=True))


def visible_events(user: AbstractBaseUser | AnonymousUser) -> QuerySet[FilterEvent]:
    """The events `user` may see; the only door to `FilterEvent` in the console."""
    people = visible_person_ids(user)
    if people is EVERYTHING:
        return FilterEvent.objects.all()
    return FilterEvent.objects.filter(person_id__in=people)
