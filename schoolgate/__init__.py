"""schoolgate: a school district's Acceptable Use Policy as running software."""

__version__ = "0.1.0.dev0"
