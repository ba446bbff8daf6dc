"""URL configuration; the staff console (issue #6) adds its pages here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include("schoolgate.control.api.urls")),
    path("", include("schoolgate.control.console.urls")),
]
