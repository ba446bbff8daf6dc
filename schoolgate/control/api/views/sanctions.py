# mypy: disallow-untyped-decorators=False
# (drf-spectacular's decorators are untyped to mypy.)
"""Sanctions: the active ones among the people you may see; a principal's or administrator's
suspension and lift (`conduct.services`), after which the snapshot is republished so every
enforcement point applies it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import may, viewer, visible_people
from schoolgate.control.api import rows
from schoolgate.control.api.serializers import (
    LiftRequest,
    PersonQuery,
    Sanction,
    SanctionChanged,
    SuspendRequest,
)
from schoolgate.control.api.views.base import Endpoint, Listing, body, person_or_404, query
from schoolgate.control.conduct import models
from schoolgate.control.conduct.services import ConductError, active, lift, suspend
from schoolgate.control.console.publish import republish


class SanctionList(Listing):
    """Active sanctions; suspending is for principals (their schools) and administrators, and
    republishes the snapshot."""

    serializer_class = Sanction

    @extend_schema(parameters=[PersonQuery], summary="Active sanctions of the people you may see")
    def get(self, request: Request) -> Response:
        wanted = query(PersonQuery, request)
        found = active(timezone.now()).filter(person__in=visible_people(request.user, "sanction"))
        if "person" in wanted:
            found = found.filter(person__sourced_id=wanted["person"])
        page = self.page_of(found.select_related("person").order_by("-starts_at", "-pk"))
        subjects = {s.person.pk: s.person for s in page}.values()
        record_views(
            request.user, subjects, what="sanctions", purpose="sanction", path=request.path
        )
        return self.get_paginated_response(
            Sanction([rows.sanction(s) for s in page], many=True).data
        )

    @extend_schema(
        request=SuspendRequest,
        responses={201: SanctionChanged},
        summary="Suspend a person's access (principal of their school, administrator)",
    )
    def post(self, request: Request) -> Response:
        if not may(request.user, "suspend"):
            raise PermissionDenied("only a principal or administrator suspends access")
        wanted = body(SuspendRequest, request)
        person = person_or_404(request, wanted["person"], "sanction")
        now = timezone.now()
        try:
            sanction = suspend(
                person,
                scope=wanted["scope"],
                reason=wanted["reason"],
                decided_by=viewer(request.user).person,
                ends_at=now + dt.timedelta(days=wanted["days"]),
                now=now,
            )
        except ConductError as exc:
            raise ValidationError({"reason": [str(exc)]}) from None
        out = {"sanction": rows.sanction(sanction), "published": republish()}
        return Response(SanctionChanged(out).data, status=status.HTTP_201_CREATED)


class SanctionLift(Endpoint):
    """The sanction stays in the history with who lifted it and why; the snapshot is republished."""

    serializer_class = SanctionChanged
    pagination_class = None

    @extend_schema(
        request=LiftRequest,
        responses={200: SanctionChanged},
        summary="End a sanction early, with a reason (principal of their school, administrator)",
    )
    def post(self, request: Request, pk: int) -> Response:
        if not may(request.user, "suspend"):
            raise PermissionDenied("only a principal or administrator lifts a sanction")
        visible = visible_people(request.user, "sanction")
        sanction = (
            models.Sanction.objects.filter(pk=pk, person__in=visible)
            .select_related("person")
            .first()
        )
        if sanction is None:
            raise NotFound("no such sanction")
        wanted = body(LiftRequest, request)
        me = viewer(request.user).person
        if me is None:  # `may` said yes, so there is a person; kept for the type checker
            raise PermissionDenied("no person record")
        try:
            lift(sanction, by=me.display_name, reason=wanted["reason"])
        except ConductError as exc:
            raise ValidationError({"sanction": [str(exc)]}) from None
        out = {"sanction": rows.sanction(sanction), "published": republish()}
        return Response(SanctionChanged(out).data)
