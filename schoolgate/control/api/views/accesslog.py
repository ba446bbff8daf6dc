# mypy: disallow-untyped-decorators=False
# (drf-spectacular's decorators are untyped to mypy.)
"""The record of access, for administrators only (`may(user, "review-access-log")`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from schoolgate.control.access.log import entries
from schoolgate.control.access.scope import may
from schoolgate.control.api import rows
from schoolgate.control.api.serializers import AccessLogEntry, PersonQuery
from schoolgate.control.api.views.base import Listing, query


class AccessLog(Listing):
    """Administrators only; newest first, filterable by the person viewed."""

    serializer_class = AccessLogEntry

    @extend_schema(parameters=[PersonQuery], summary="Who viewed whose record, when and why")
    def get(self, request: Request) -> Response:
        if not may(request.user, "review-access-log"):
            raise PermissionDenied("the access log is reviewed by administrators")
        wanted = query(PersonQuery, request)
        found = entries()
        if "person" in wanted:
            found = found.filter(subject__sourced_id=wanted["person"])
        page = self.page_of(found)
        data = AccessLogEntry([rows.access_entry(e) for e in page], many=True).data
        return self.get_paginated_response(data)
