# mypy: disallow-untyped-decorators=False
# (drf-spectacular's decorators are untyped to mypy.)
"""Incidents, read-only: who may read which is `access.scope.visible_incidents` (the console's
rule: principals their schools', administrators and technology managers all); each incident
about a person logs the view of that person first."""

from __future__ import annotations

from collections.abc import Iterable

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from schoolgate.control.access.log import record_views
from schoolgate.control.access.scope import may, visible_incidents
from schoolgate.control.api import rows
from schoolgate.control.api.serializers import Incident, IncidentQuery, IncidentRecord
from schoolgate.control.api.views.base import Endpoint, Listing, query
from schoolgate.control.conduct import models

RELATED = ("subject", "opened_by", "assigned_to")


def _may_read(request: Request) -> None:
    if not may(request.user, "handle-incidents"):
        raise PermissionDenied("incidents are read by principals, administrators and IT")


def _log(request: Request, incidents: Iterable[models.Incident]) -> None:
    subjects = {i.subject.pk: i.subject for i in incidents if i.subject is not None}
    record_views(
        request.user, subjects.values(), what="incidents", purpose="incident", path=request.path
    )


class IncidentList(Listing):
    """Principals read their schools' incidents, administrators and technology managers all;
    others get 403."""

    serializer_class = Incident

    @extend_schema(parameters=[IncidentQuery], summary="Incidents you may read, newest first")
    def get(self, request: Request) -> Response:
        _may_read(request)
        wanted = query(IncidentQuery, request)
        found = visible_incidents(request.user).select_related(*RELATED)
        if "status" in wanted:
            found = found.filter(status=wanted["status"])
        if "person" in wanted:
            found = found.filter(subject__sourced_id=wanted["person"])
        page = self.page_of(found.order_by("-opened_at", "-pk"))
        _log(request, page)
        return self.get_paginated_response(
            Incident([rows.incident(i) for i in page], many=True).data
        )


class IncidentDetail(Endpoint):
    """The incident, its history and the decision that opened it; the view of its subject is
    logged (`incident`)."""

    serializer_class = IncidentRecord
    pagination_class = None

    @extend_schema(summary="One incident with its history")
    def get(self, request: Request, pk: int) -> Response:
        _may_read(request)
        found = visible_incidents(request.user).select_related(*RELATED).filter(pk=pk).first()
        if found is None:
            raise NotFound("no such incident")
        _log(request, [found])
        return Response(IncidentRecord(rows.incident_record(found)).data)
