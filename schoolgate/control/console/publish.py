"""Republish the snapshot after a change from a page, as the CLI does after a command.

A failure to publish never undoes the change (it is committed); the publisher of
`schoolgate snapshot serve` retries, and the page says so."""

from __future__ import annotations

import logging

from schoolgate.control.publication.services import publish_pending
from schoolgate.policy.problems import PackError

log = logging.getLogger(__name__)


def republish() -> str | None:
    """The published revision, or None when nothing was published (reason logged, no names)."""
    try:
        published = publish_pending()
    except (PackError, OSError) as exc:
        log.warning("snapshot not published after a console change: %s", type(exc).__name__)
        return None
    return published.revision if published else None
