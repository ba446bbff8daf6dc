# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "schoolgate.control.networks"
    label = "networks"
    verbose_name = "Networks and addresses"
    default_auto_field = "django.db.models.BigAutoField"
