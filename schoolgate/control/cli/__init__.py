"""The control plane's commands, one module per group; each is a thin shell over service
functions (the console, #6, calls the same ones). Registered in `schoolgate.cli`."""

from schoolgate.control.cli.agreements import agreements
from schoolgate.control.cli.consents import consents
from schoolgate.control.cli.leases import leases
from schoolgate.control.cli.manage import manage
from schoolgate.control.cli.roster import roster
from schoolgate.control.cli.sanctions import sanctions
from schoolgate.control.cli.snapshot import snapshot

__all__ = ["agreements", "consents", "leases", "manage", "roster", "sanctions", "snapshot"]
