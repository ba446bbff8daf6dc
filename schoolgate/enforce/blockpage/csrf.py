"""Tokens that make the review form safe from cross-site posting.

A token is an HMAC over the client address, the blocked name and the hour, under a secret that
lives only in the running process: a page on another site cannot read it (same-origin policy) and
cannot compute it. It stays valid for the current and the previous hour.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable


class CsrfTokens:
    def __init__(self, secret: bytes | None = None, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock

    def _token(self, client: str, host: str, hour: int) -> str:
        message = f"{client}\x00{host}\x00{hour}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def issue(self, client: str, host: str) -> str:
        return self._token(client, host, int(self._clock() // 3600))

    def check(self, client: str, host: str, token: str) -> bool:
        hour = int(self._clock() // 3600)
        return any(
            hmac.compare_digest(self._token(client, host, h), token) for h in (hour, hour - 1)
        )
