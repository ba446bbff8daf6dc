"""Why an OIDC sign-in failed: a short code for the sign-in log and a sentence for the person.

The code goes to logs; the sentence goes on the page. Neither ever carries a token, a code, a
secret or the person's claims."""

from __future__ import annotations


class OidcError(Exception):
    """A refused OIDC sign-in. `status` is the HTTP status of the error page."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def provider_down(name: str) -> OidcError:
    return OidcError(
        "provider-unavailable",
        f"{name} could not be reached or answered with an error. Try again in a few minutes, "
        "or sign in with a username and password.",
        502,
    )


def bad_token(why: str) -> OidcError:
    return OidcError(
        "bad-token",
        f"The sign-in answer from the provider could not be trusted ({why}). Please try again.",
    )
