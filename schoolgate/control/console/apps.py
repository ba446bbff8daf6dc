# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "schoolgate.control.console"
    label = "console"
    verbose_name = "Staff console"
