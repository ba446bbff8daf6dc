# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "schoolgate.control.evidence"
    label = "evidence"
    verbose_name = "Evidence chains"
    default_auto_field = "django.db.models.BigAutoField"
