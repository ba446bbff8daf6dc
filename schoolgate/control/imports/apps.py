# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "schoolgate.control.imports"
    label = "imports"
    verbose_name = "Roster imports from the console"
    default_auto_field = "django.db.models.BigAutoField"
