"""Errors a caller can act on; each message names the input and the place that is wrong."""

from __future__ import annotations


class TextScanError(Exception):
    """Base for everything the text scanner refuses."""


class InputTooLarge(TextScanError):
    pass


class BinaryInput(TextScanError):
    pass


class ContextError(TextScanError):
    """A roster or student-id pattern that cannot be used."""


class ModelError(TextScanError):
    """The shipped model is missing, truncated or does not match its manifest."""
