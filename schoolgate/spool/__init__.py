"""The durable event spool between the data plane and the control plane.

Enforcement points append one record per decision to local segment files and answer only after the
append returned, so a crash, a kill -9 or a control plane that is down never loses a log line the
point acted on. A reader (the shipper to the event store) reads from its own committed offset.
"""

from schoolgate.spool.reader import SpoolReader
from schoolgate.spool.records import SpoolError
from schoolgate.spool.writer import FsyncPolicy, SpoolWriter

__all__ = ["FsyncPolicy", "SpoolError", "SpoolReader", "SpoolWriter"]
