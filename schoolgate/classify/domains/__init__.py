"""Domain categories from compiled lists: `CategoryIndex.open(path).lookup(name)`.

Built by `schoolgate lists import` (see `schoolgate.lists`) or `build_index`; read by the resolver.
The loader (`index`, `live`) needs only the standard library and `idna`; numpy is for building.
"""

from __future__ import annotations

from schoolgate.classify.domains.index import NO_MATCH, CategoryIndex, Match
from schoolgate.classify.domains.layout import IndexFormatError
from schoolgate.classify.domains.live import LiveIndex

__all__ = ["NO_MATCH", "CategoryIndex", "IndexFormatError", "LiveIndex", "Match"]
