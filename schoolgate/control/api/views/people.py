# mypy: disallow-untyped-decorators=False
# (drf-spectacular's decorators are untyped to mypy.)
"""The people directory, one person's record and the signatures still outstanding; every
person returned is written to the access log before the response is sent."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import visible_people
from schoolgate.control.agreements.services import acknowledgment_status, current_pack
from schoolgate.control.api import rows
from schoolgate.control.api.serializers import DirectoryQuery, PersonRecord, PersonSummary
from schoolgate.control.api.views.base import Endpoint, Listing, person_or_404, query
from schoolgate.control.conduct.models import Sanction
from schoolgate.control.consents.services import granted_consents
from schoolgate.control.people.services import enrollments_of, guardians_of

ORDER = ("family_name", "given_name", "pk")


class PersonList(Listing):
    """Search by name, filter by role, school, agreement status or consent; 50 a page. Each person
    returned is logged (`directory`)."""

    serializer_class = PersonSummary

    @extend_schema(parameters=[DirectoryQuery], summary="The people you may see")
    def get(self, request: Request) -> Response:
        wanted = query(DirectoryQuery, request)
        now = timezone.now()
        status = acknowledgment_status(current_pack().pack, now)
        granted = granted_consents(now)
        people = visible_people(request.user, "directory").select_related("primary_org")
        if "q" in wanted:
            q = wanted["q"].strip()
            people = people.filter(
                Q(given_name__icontains=q)
                | Q(family_name__icontains=q)
                | Q(preferred_given_name__icontains=q)
            )
        if "role" in wanted:
            people = people.filter(role=wanted["role"])
        if "school" in wanted:
            people = people.filter(primary_org__sourced_id=wanted["school"])
        ack = wanted.get("acknowledgment")
        if ack == "not-required":
            people = people.exclude(pk__in=list(status))
        elif ack is not None:
            people = people.filter(
                pk__in=[pk for pk, done in status.items() if done == (ack == "signed")]
            )
        if "consent" in wanted:
            people = people.filter(
                pk__in=[pk for pk, given in granted.items() if wanted["consent"] in given]
            )
        page = self.page_of(people.order_by(*ORDER))
        record_views(request.user, page, what="directory", purpose="directory", path=request.path)
        data = PersonSummary([rows.summary(p, status, granted) for p in page], many=True).data
        return self.get_paginated_response(data)


class Outstanding(Listing):
    """People the agreement's audience covers who have not signed it. Each person returned is
    logged (`directory`)."""

    serializer_class = PersonSummary

    @extend_schema(summary="People you may see who must sign the agreement and have not")
    def get(self, request: Request) -> Response:
        now = timezone.now()
        status = acknowledgment_status(current_pack().pack, now)
        missing = [pk for pk, done in status.items() if not done]
        people = visible_people(request.user, "directory").filter(pk__in=missing)
        page = self.page_of(people.select_related("primary_org").order_by(*ORDER))
        record_views(
            request.user, page, what="acknowledgments", purpose="directory", path=request.path
        )
        data = PersonSummary([rows.summary(p, status, {}) for p in page], many=True).data
        return self.get_paginated_response(data)


class PersonDetail(Endpoint):
    """Classes, guardians, consents and the latest sanctions; the view is logged (`record`). A
    person you may not see is a 404."""

    serializer_class = PersonRecord
    pagination_class = None

    @extend_schema(summary="One person's record")
    def get(self, request: Request, sourced_id: str) -> Response:
        person = person_or_404(request, sourced_id, "record")
        record_views(request.user, [person], what="record", purpose="record", path=request.path)
        now = timezone.now()
        pack = current_pack().pack
        student = person.role == "student"
        record = {
            **rows.summary(person, acknowledgment_status(pack, now), {}),
            "classes": [
                {"id": e.school_class.sourced_id, "title": e.school_class.title}
                for e in enrollments_of(person)
            ],
            "guardians": [rows.person_ref(g) for g in guardians_of(person)] if student else [],
            "consents": rows.consent_states(pack, person, now) if student else [],
            "sanctions": [
                rows.sanction(s)
                for s in Sanction.objects.filter(person=person)
                .select_related("person")
                .order_by("-starts_at")[:20]
            ],
        }
        return Response(PersonRecord(record).data)
