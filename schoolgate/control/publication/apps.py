# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "schoolgate.control.publication"
    label = "publication"
    verbose_name = "Snapshot publication"
    default_auto_field = "django.db.models.BigAutoField"
