# mypy: disallow-subclassing-any=False
# (Django ships no type information: its base classes are Any to mypy.)
from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "schoolgate.control.reviews"
    label = "reviews"
    verbose_name = "Review requests and site exceptions"
    default_auto_field = "django.db.models.BigAutoField"
