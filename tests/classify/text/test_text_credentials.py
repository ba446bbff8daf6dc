"""Tables for the password and API-key detectors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from schoolgate.classify.text.api_key import ApiKeyDetector, shannon_entropy
from schoolgate.classify.text.password import PasswordDetector

Spans = Callable[..., list[str]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my password is hunter2.", ["hunter2"]),
        ("pw: Tr0ub4dor&3!", ["Tr0ub4dor&3!"]),
        ("Password = 'correct horse'", []),  # quoted values cannot hold spaces here
        ('password: "s3cr3t"', ["s3cr3t"]),
        ("the wifi password is bluebird", ["bluebird"]),
        ("login jdoe / Summer2024!", ["Summer2024!"]),
        ("username: kid42, pass: dragon99", ["dragon99"]),
        ("my pw hunter2 lol", ["hunter2"]),
        ("password for my school account is tiger99", ["tiger99"]),
        ("locker combo is 12-34-06", ["12-34-06"]),
        ("PIN is 4821", ["4821"]),
        ("my password is wrong", []),
        ("password requirements changed", []),
        ("forgot my password again", []),
        ("the pin is blue", []),
        ("pass the ball", []),
        ("reset your password at the library", []),
    ],
)
def test_password(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(PasswordDetector(), text) == expected


AWS = "AKIA" + "IOSFODNN7EXAMPLE"
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {AWS} here", [AWS]),
        (f"token={GH}", [GH]),
        (f"Bearer {JWT}", [JWT]),
        ("api_key = 'q8Zr2LxV9mPw4Tn7Ks1'", ["q8Zr2LxV9mPw4Tn7Ks1"]),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
            ["-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"],
        ),
        ("token = none", []),
        ("secret = 'change-me-please-now'", []),  # no digits, low entropy
        ("the AKIA of the story", []),
    ],
)
def test_api_key(text: str, expected: list[str], spans: Spans) -> None:
    assert spans(ApiKeyDetector(), text) == expected


def test_entropy_orders_random_above_words() -> None:
    assert shannon_entropy("q8Zr2LxV9mPw4Tn7") > 3.5 > shannon_entropy("passwordpassword")
