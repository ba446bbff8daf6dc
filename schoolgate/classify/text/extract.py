"""From bytes to the text a person would read: plain text, an .eml message or an HTML page.

Everything here is bounded: input is refused above a size limit before it is parsed, binary data
is recognised and refused with the reason, malformed UTF-8 is decoded with replacement characters
and counted, and HTML is reduced by a linear pass that never runs scripts or fetches anything.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

from schoolgate.classify.text.errors import BinaryInput, InputTooLarge

MAX_BYTES = 10 * 1024 * 1024 + 1024  # a 10 MB message plus headers
KINDS = ("text", "eml", "html")

_SNIFF = 4096


@dataclass(frozen=True, slots=True)
class Extracted:
    """The readable text, where it came from, and what was wrong with the input on the way."""

    text: str
    kind: str
    warnings: tuple[str, ...] = field(default=())


def guess_kind(name: str, head: bytes) -> str:
    """By file extension first, then by the first bytes."""
    lower = name.lower()
    if lower.endswith((".eml", ".msg.txt", ".mbox")):
        return "eml"
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    start = head[:_SNIFF].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    if re.match(rb"(?:(?:received|return-path|from|to|subject|date|message-id|mime-version|"
                rb"delivered-to|x-[\w-]+):[^\r\n]*\r?\n){2,}", start):  # fmt: skip
        return "eml"
    return "text"


def check_binary(data: bytes, where: str) -> None:
    """Refuse data that is not text: NUL bytes or mostly control characters in the first 4 KiB.

    UTF-16 text is refused too (it is full of NULs); it is rare in mail and web pages.
    """
    head = data[:_SNIFF]
    nul = head.find(b"\x00")
    if nul != -1:
        raise BinaryInput(f"{where}: binary data (NUL byte at offset {nul}); expected text")
    if not head:
        return
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if control / len(head) > 0.1:
        raise BinaryInput(
            f"{where}: binary data ({control} control bytes in the first {len(head)}); "
            "expected text"
        )


def decode(data: bytes, where: str, charset: str = "utf-8") -> tuple[str, tuple[str, ...]]:
    """Decode, replacing what cannot be decoded, and say how much was replaced."""
    try:
        text = data.decode(charset, errors="strict")
        return text, ()
    except LookupError:
        charset = "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode(charset, errors="replace")
    bad = text.count("\ufffd")
    return text, (
        f"{where}: {bad} byte sequence(s) were not valid {charset}; replaced with U+FFFD",
    )


def extract(data: bytes, kind: str, where: str = "<input>") -> Extracted:
    """The text of ``data`` read as ``kind`` ("text", "eml" or "html")."""
    if len(data) > MAX_BYTES:
        raise InputTooLarge(f"{where}: {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    check_binary(data, where)
    if kind == "eml":
        return _from_eml(data, where)
    text, warnings = decode(data, where)
    if kind == "html":
        return Extracted(html_to_text(text), "html", warnings)
    return Extracted(text, "text", warnings)


def _from_eml(data: bytes, where: str) -> Extracted:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default always gives one
        raise TypeError("email parser did not return an EmailMessage")
    warnings: list[str] = [f"{where}: {type(d).__name__}: {d}" for d in msg.defects][:5]
    parts: list[str] = []
    subject = msg.get("subject")
    if subject:
        parts.append(str(subject))
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        body, bad = decode(payload, where, part.get_content_charset() or "utf-8")
        warnings.extend(bad)
        parts.append(html_to_text(body) if part.get_content_subtype() == "html" else body)
    return Extracted("\n\n".join(parts), "eml", tuple(warnings))


_DROP_BLOCKS = re.compile(
    r"<(script|style|template|noscript|svg|math|iframe|object)\b[^>]*>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)", re.DOTALL)
_BREAK = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?table|/?ul|/?ol|hr)\b[^>]{0,2000}>",
                    re.IGNORECASE)  # fmt: skip
_CELL = re.compile(r"</?(?:td|th|dd|dt)\b[^>]{0,2000}>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z!?][^>]{0,2000}>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(markup: str) -> str:
    """The visible text of an HTML document.

    Regular expressions with bounded repetition rather than an HTML parser: each pass is linear
    in the input, so hostile markup (unclosed comments, deep nesting, huge attributes) costs the
    same as a page of prose. Script, style and similar blocks are dropped with their content.
    """
    text = _COMMENT.sub(" ", markup)
    text = _DROP_BLOCKS.sub(" ", text)
    text = _BREAK.sub("\n", text)
    text = _CELL.sub(" ", text)
    text = _TAG.sub("", text)  # inline tags join: "sh<b>i</b>t" reads as one word
    text = html.unescape(text)
    text = _SPACE.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
