# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "schoolgate.control.consents"
    label = "consents"
    verbose_name = "Guardian consents"
    default_auto_field = "django.db.models.BigAutoField"
