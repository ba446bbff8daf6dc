# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "schoolgate.control.agreements"
    label = "agreements"
    verbose_name = "Acknowledgments"
    default_auto_field = "django.db.models.BigAutoField"
