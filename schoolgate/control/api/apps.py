# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "schoolgate.control.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        # Registers the machine-token security scheme with drf-spectacular.
        from schoolgate.control.api import schema  # noqa: F401
