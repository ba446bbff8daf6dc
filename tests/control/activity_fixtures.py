"""Spool records exactly as the resolver writes them (enforce/dns/handler.py `_log` followed by
policy.py `_log_tail`), and a spool written by the real SpoolWriter."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from schoolgate.spool import FsyncPolicy, SpoolWriter


def dns_record(
    name: str,
    *,
    user: str | None = None,
    client: str = "10.1.2.3",
    at: float | None = None,
    categories: list[str] | None = None,
    action: str = "allow",
    rule: str = "web-default",
    clause: str | None = "ces/internet-safety#1",
    bypass_kind: str | None = None,
) -> bytes:
    """One query-log record, built the way the handler builds it: a head, the name, the tail."""
    now = time.time() - 60 if at is None else at
    head = b'{"kind":"dns","time":%.3f,"client":"%s"' % (now, client.encode())
    tail = {
        "user": user,
        "network": "students",
        "school": "ms1",
        "type": "A",
        "categories": sorted(categories) if categories is not None else None,
        "action": action,
        "answer": "blockpage" if action == "block" else "forward",
        "rule": rule,
        "rules": [rule],
        "clause": clause,
        "clauses": [clause] if clause else [],
        "revision": "ab" * 32,
        "lists_revision": None,
        "bypass": bypass_kind is not None,
        "bypass_kind": bypass_kind,
    }
    text = json.dumps(tail, separators=(",", ":"), ensure_ascii=False)
    return head + b',"name":' + json.dumps(name).encode() + ("," + text[1:]).encode()


def write_spool(directory: Path, payloads: list[bytes | dict[str, Any]]) -> None:
    writer = SpoolWriter(directory, fsync=FsyncPolicy.NEVER)
    try:
        for payload in payloads:
            if isinstance(payload, dict):
                writer.append(payload)
            else:
                writer.append_bytes(payload)
    finally:
        writer.close()
