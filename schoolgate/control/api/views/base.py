"""What every API view shares: a body limit checked before parsing, query and body validation
that answers 400 by field, and 404 for a person the caller may not see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from schoolgate.control.access.scope import visible_person
from schoolgate.control.api.errors import MAX_JSON_BODY, check_body_size
from schoolgate.control.api.permissions import IsPerson
from schoolgate.control.people.models import Person


class Pages(PageNumberPagination):  # type: ignore[misc]
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class Endpoint(GenericAPIView):  # type: ignore[misc]
    """A route for signed-in people unless it says otherwise."""

    permission_classes = (IsPerson,)
    pagination_class: type[Pages] | None = Pages
    max_body = MAX_JSON_BODY

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # who is calling, and may they
        check_body_size(request, self.max_body)

    def page_of(self, rows: QuerySet[Any]) -> list[Any]:
        page = self.paginate_queryset(rows)
        return list(page) if page is not None else list(rows)


class Listing(ListModelMixin, Endpoint):  # type: ignore[misc]
    """A paginated list (the mixin tells drf-spectacular so; `get` is each view's own)."""


def query(shape: type[Serializer], request: Request) -> dict[str, Any]:
    found = shape(data=request.query_params)
    found.is_valid(raise_exception=True)
    return dict(found.validated_data)


def body(shape: type[Serializer], request: Request) -> dict[str, Any]:
    found = shape(data=request.data)
    found.is_valid(raise_exception=True)
    return dict(found.validated_data)


def person_or_404(request: Request, sourced_id: str, purpose: str) -> Person:
    """A person the caller may see for `purpose`; absent and hidden look the same (an id with a
    NUL byte too: `visible_person` answers None without a query, as for the console)."""
    person = visible_person(request.user, sourced_id, purpose)
    if person is None:
        raise NotFound("no such person")
    return person
