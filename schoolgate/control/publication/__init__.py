"""Snapshot publication: records + pack → a snapshot file, served over HTTP with ETag.

Every change that matters to a decision marks the records changed in its own transaction
(`services.mark_changed`); a publisher compiles and atomically writes a new snapshot when the
mark moves, and enforcement points fetch it by ETag. See docs/control-plane.md.
"""
