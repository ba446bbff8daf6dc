"""The API's routes, mounted at `api/v1/` (no trailing slashes: programs call these)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from schoolgate.control.api.views import (
    accesslog,
    consents,
    incidents,
    machines,
    missing,
    people,
    sanctions,
)

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("people", people.PersonList.as_view(), name="people"),
    path("people/<str:sourced_id>", people.PersonDetail.as_view(), name="person"),
    path("acknowledgments/outstanding", people.Outstanding.as_view(), name="outstanding"),
    path("consents", consents.ConsentList.as_view(), name="consents"),
    path("sanctions", sanctions.SanctionList.as_view(), name="sanctions"),
    path("sanctions/<int:pk>/lift", sanctions.SanctionLift.as_view(), name="lift"),
    path("incidents", incidents.IncidentList.as_view(), name="incidents"),
    path("incidents/<int:pk>", incidents.IncidentDetail.as_view(), name="incident"),
    path("access-log", accesslog.AccessLog.as_view(), name="access-log"),
    path("addresses", machines.Addresses.as_view(), name="addresses"),
    path("leases", machines.Leases.as_view(), name="leases"),
    path("snapshot", machines.SnapshotFeed.as_view(), name="snapshot"),
    # Anything else under api/v1/ (a negative id, a typo) is a JSON 404, not the console's page.
    re_path(r"", missing.not_found, name="missing"),
]
