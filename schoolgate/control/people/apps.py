# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "schoolgate.control.people"
    label = "people"
    verbose_name = "People and structure"
    default_auto_field = "django.db.models.BigAutoField"
