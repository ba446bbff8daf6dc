# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Who has signed, counted per school over the people a viewer may see: the dashboard's
"signatures by school" and the directory's school filter.

HR's September question is "who is still missing, per school?". `services.outstanding` answers
it for the whole district (the CLI); this counts only the people the caller passes, already
scoped by `access.scope.visible_people`, so a principal's table covers their school alone. A
person belonging to two schools counts in both, as in `services.outstanding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from schoolgate.control.people.models import Org, Person, PersonRole
from schoolgate.control.people.services import schools_of

NO_SCHOOL = 0  # the row of people with no school on record


@dataclass(frozen=True)
class SchoolProgress:
    org: int  # Org pk, or NO_SCHOOL
    name: str
    required: int
    signed: int

    @property
    def outstanding(self) -> int:
        return self.required - self.signed


def by_school(status: Mapping[int, bool], people: Iterable[int]) -> list[SchoolProgress]:
    """For each school of `people` who must sign (`status`: pk → signed, from
    `agreements.services.acknowledgment_status`): required and signed, most outstanding first."""
    must = [pk for pk in people if pk in status]
    schools = schools_of(must)
    required: dict[int, int] = {}
    signed: dict[int, int] = {}
    for pk in must:
        for org in schools.get(pk) or {NO_SCHOOL}:
            required[org] = required.get(org, 0) + 1
            signed[org] = signed.get(org, 0) + (1 if status[pk] else 0)
    names = dict(Org.objects.filter(pk__in=list(required)).values_list("pk", "name"))
    rows = [
        SchoolProgress(org, names.get(org, "(no school)"), required[org], signed[org])
        for org in required
    ]
    return sorted(rows, key=lambda r: (-r.outstanding, r.name, r.org))


def schools_among(people: QuerySet[Person]) -> list[tuple[int, str]]:
    """(pk, name) of every school the given people belong to (primary org, or the org of an
    active role), by name: the directory's choices. One query, whatever the district's size."""
    primary = people.values("primary_org_id")
    roles = PersonRole.objects.filter(person__in=people, active=True).values("org_id")
    orgs = Org.objects.filter(Q(pk__in=primary) | Q(pk__in=roles))
    return list(orgs.order_by("name", "pk").values_list("pk", "name"))
