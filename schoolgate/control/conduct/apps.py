# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ConductConfig(AppConfig):
    name = "schoolgate.control.conduct"
    label = "conduct"
    verbose_name = "Incidents and sanctions"
    default_auto_field = "django.db.models.BigAutoField"
