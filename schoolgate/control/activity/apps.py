# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "schoolgate.control.activity"
    label = "activity"
    verbose_name = "Filter activity: the event store fed from the spool"
    default_auto_field = "django.db.models.BigAutoField"
