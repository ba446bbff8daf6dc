"""The resolver's recent blocks per client, shared in-process with the block page.

When a browser follows a blocked name to the block page, the page asks here what was blocked and
why, so it can show the very decision the resolver made (rule, clause, evidence, revision).
Bounded: a few dozen names per client, a few thousand clients, oldest forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schoolgate.enforce.dns.policy import Verdict


class RecentBlocks:
    def __init__(self, per_client: int = 32, clients: int = 4096) -> None:
        self.per_client = per_client
        self.clients = clients
        self._by_client: OrderedDict[str, OrderedDict[str, tuple[Verdict, float]]] = OrderedDict()

    def remember(self, client: str, qname: str, verdict: Verdict, now: float) -> None:
        names = self._by_client.get(client)
        if names is None:
            names = self._by_client[client] = OrderedDict()
            if len(self._by_client) > self.clients:
                self._by_client.popitem(last=False)
        else:
            self._by_client.move_to_end(client)
        names[qname] = (verdict, now)
        names.move_to_end(qname)
        if len(names) > self.per_client:
            names.popitem(last=False)

    def find(self, client: str, name: str) -> tuple[Verdict, float] | None:
        names = self._by_client.get(client)
        return names.get(name) if names else None
