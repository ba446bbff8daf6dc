# mypy: disallow-untyped-decorators=False
# (drf-spectacular's decorators are untyped to mypy.)
"""Consents: what is in force for the students you may see, and a guardian giving or
withdrawing one for their own child (`consents.services.record`, with address and browser as
evidence), after which the snapshot is republished."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import viewer, visible_people
from schoolgate.control.agreements.services import current_pack
from schoolgate.control.api import rows
from schoolgate.control.api.serializers import (
    ConsentRecorded,
    ConsentRequest,
    PersonQuery,
    StudentConsents,
)
from schoolgate.control.api.views.base import Listing, body, person_or_404, query
from schoolgate.control.consents.services import ConsentError, record
from schoolgate.control.console.http import client_ip, user_agent
from schoolgate.control.console.publish import republish
from schoolgate.control.people.services import is_guardian_of


class ConsentList(Listing):
    """Per student you may see: each consent of the policy pack and its state. Giving or
    withdrawing is for the student's own guardian."""

    serializer_class = StudentConsents

    @extend_schema(parameters=[PersonQuery], summary="Consents of the students you may see")
    def get(self, request: Request) -> Response:
        wanted = query(PersonQuery, request)
        students = visible_people(request.user, "consent").filter(role="student")
        if "person" in wanted:
            students = students.filter(sourced_id=wanted["person"])
        page = self.page_of(students.order_by("family_name", "given_name", "pk"))
        record_views(request.user, page, what="consents", purpose="consent", path=request.path)
        pack, now = current_pack().pack, timezone.now()
        data = [
            {"person": rows.person_ref(s), "consents": rows.consent_states(pack, s, now)}
            for s in page
        ]
        return self.get_paginated_response(StudentConsents(data, many=True).data)

    @extend_schema(
        request=ConsentRequest,
        responses={201: ConsentRecorded},
        summary="Give or withdraw a consent for your own child",
    )
    def post(self, request: Request) -> Response:
        wanted = body(ConsentRequest, request)
        student = person_or_404(request, wanted["person"], "consent")
        me = viewer(request.user).person
        if me is None or not is_guardian_of(me, student):
            raise PermissionDenied("consents are given by the student's own parent or guardian")
        record_views(request.user, [student], what="consents", purpose="consent", path=request.path)
        try:
            saved = record(
                student,
                wanted["consent"],
                wanted["action"],
                signer=me,
                typed_name=wanted["typed_name"],
                expires_at=wanted.get("expires_at"),
                ip_address=client_ip(request),
                user_agent=user_agent(request),
            )
        except ConsentError as exc:
            field = "expires_at" if "expire" in str(exc) else "consent"
            raise ValidationError({field: [str(exc)]}) from None
        out = {
            "person": student.sourced_id,
            "consent": saved.consent,
            "action": saved.action,
            "signed_at": saved.signed_at,
            "expires_at": saved.expires_at,
            "published": republish(),
        }
        return Response(ConsentRecorded(out).data, status=status.HTTP_201_CREATED)
