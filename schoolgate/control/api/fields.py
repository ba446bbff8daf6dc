"""Input that means what it says: a string is a string, a number a number, and a field the
route does not know is an error rather than silently ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class Text(serializers.CharField):  # type: ignore[misc]
    """A string, and only a string (DRF's CharField would turn 12 or true into text)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class WholeNumber(serializers.IntegerField):  # type: ignore[misc]
    """An integer, not a string of digits, a float or a boolean."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class Strict(serializers.Serializer):  # type: ignore[misc]
    """A request body: unknown fields are refused by name."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["this field is not part of the request"] for name in unknown}
                )
        return super().to_internal_value(data)
