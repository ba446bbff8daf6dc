"""Who is calling: a person signed in to the console (session cookie, CSRF on unsafe methods,
DRF's `SessionAuthentication`) or a program with a machine token (`Authorization: Bearer`).

A machine is not a person: `Machine` has no account, so `access.scope.visible_people` gives it
nobody and `may` refuses it everything, whatever a route forgets to check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from schoolgate.control.api.models import MachineToken
from schoolgate.control.api.tokens import authenticate


@dataclass(frozen=True)
class Machine:
    """`request.user` for a machine token (`request.auth` is the token itself)."""

    token: MachineToken
    account: None = None
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    pk: None = None

    def __str__(self) -> str:
        return f"machine {self.token.name}"


class BearerTokenAuthentication(BaseAuthentication):  # type: ignore[misc]
    """`Authorization: Bearer sgt_…`. A header that is present but wrong is refused (401), never
    passed on to the session; the message never repeats the token."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Machine, MachineToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise AuthenticationFailed("Authorization must be 'Bearer <token>'")
        token = authenticate(parts[1])
        if token is None:
            raise AuthenticationFailed("the token is unknown, expired or revoked")
        return Machine(token), token

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="schoolgate"'
