# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "schoolgate.control.access"
    label = "access"
    verbose_name = "Access scoping and the FERPA access log"
    default_auto_field = "django.db.models.BigAutoField"
