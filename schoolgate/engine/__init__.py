"""The decision engine: pure, typed, no I/O. `decide(snapshot, event) -> Decision`."""

from schoolgate.engine.decide import Decision, decide
from schoolgate.engine.events import Event, Subject
from schoolgate.engine.parse import EventError, event_from_dict
from schoolgate.engine.snapshot import Snapshot, SnapshotError

__all__ = [
    "Decision",
    "Event",
    "EventError",
    "Snapshot",
    "SnapshotError",
    "Subject",
    "decide",
    "event_from_dict",
]
