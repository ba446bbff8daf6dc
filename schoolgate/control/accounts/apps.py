# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "schoolgate.control.accounts"
    label = "accounts"
    verbose_name = "Console sign-in accounts"
    default_auto_field = "django.db.models.BigAutoField"
