"""Events from JSON: precise errors naming the path, and no crash on arbitrary input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolgate.engine.events import EmailMessage, WebRequest
from schoolgate.engine.parse import EventError, event_from_dict

BAD = [
    ({}, "channel", "is required"),
    ({"channel": "fax"}, "channel", "unknown channel"),
    ({"channel": "web"}, "web.domain", "is required"),
    ({"channel": "web", "web": {"domain": "x", "extra": 1}}, "web.extra", "unknown field"),
    ({"channel": "web", "web": {"domain": "x"}, "time": "yesterday"}, "time", "ISO 8601"),
    ({"channel": "web", "web": {"domain": "x"}, "time": "2026-10-05T10:00:00"}, "time", "UTC offset"),
    ({"channel": "web", "web": {"domain": "x"}, "subject": {"roles": "student"}}, "subject.roles", "list"),
    ({"channel": "web", "web": {"domain": "x"},
      "subject": {"sanctions": [{"scope": "planet", "reason": "r"}]}}, "subject.sanctions[0].scope", "unknown scope"),
    ({"channel": "email", "email": {"labels": {"spam": 2}}}, "email.labels.spam", "0 to 1"),
    ({"channel": "email", "email": {"recipients": -1}}, "email.recipients", "whole number"),
    ({"channel": "email", "email": {"attachments": [{"name": "x"}]}}, "email.attachments[0].filename", "required"),
    ({"channel": "software", "software": {}}, "software.name", "required"),
    ({"channel": "web", "web": {"domain": " . "}}, "web.domain", "empty"),
    ([], "", "expected an object"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "path", "words"), BAD)
def test_bad_events_name_the_path(data: Any, path: str, words: str) -> None:
    with pytest.raises(EventError) as caught:
        event_from_dict(data)
    assert caught.value.path == path
    assert words in str(caught.value)


def test_domain_is_normalised_and_null_means_unknown() -> None:
    event = event_from_dict(
        {"channel": "web", "web": {"domain": "WWW.Example.COM.", "categories": None}}
    )
    assert isinstance(event.payload, WebRequest)
    assert event.payload.domain == "www.example.com"
    assert event.payload.categories is None


def test_recipients_as_list_or_count() -> None:
    a = event_from_dict({"channel": "email", "email": {"recipients": ["a@x", "b@x"]}})
    b = event_from_dict({"channel": "email", "email": {"recipients": 2, "attachments": ["r.EXE"]}})
    assert isinstance(a.payload, EmailMessage) and isinstance(b.payload, EmailMessage)
    assert a.payload.recipient_count == b.payload.recipient_count == 2
    assert b.payload.attachments[0].extension == "exe"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
channels = st.sampled_from(["web", "email", "publication", "device", "software", "account", "x"])


@settings(max_examples=400, deadline=None)
@given(
    channels,
    st.dictionaries(
        st.sampled_from(
            [
                "subject",
                "time",
                "id",
                "web",
                "email",
                "publication",
                "device",
                "software",
                "account",
                "junk",
            ]
        ),
        json_values,
        max_size=5,
    ),
)
def test_arbitrary_json_gives_event_or_event_error(channel: str, rest: dict[str, Any]) -> None:
    try:
        event_from_dict({"channel": channel, **rest})
    except EventError as exc:
        assert exc.message
