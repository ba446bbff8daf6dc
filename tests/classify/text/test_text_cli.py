"""`schoolgate scan` and `schoolgate classify`, through click's runner (the real commands)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schoolgate.classify.text.cli import classify, scan

TEXT = "Call me at 415-555-2671, my password is hunter2. Emma Johnson is here.\n"


def test_scan_table(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(scan, [str(path)])
    assert result.exit_code == 0, result.output
    assert "PHONE_NUMBER" in result.output and "PASSWORD" in result.output
    assert "hunter2" not in result.output  # no message text without --show-text


def test_scan_json_with_roster_and_text(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(TEXT, encoding="utf-8")
    roster = tmp_path / "roster.txt"
    roster.write_text("# students\nEmma Johnson\n", encoding="utf-8")
    result = CliRunner().invoke(scan, [str(path), "--json", "--roster", str(roster), "--show-text"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["kind"] == "text" and set(doc["labels"]) >= {"offensive", "spam"}
    found = {(f["entity"], f["text"]) for f in doc["findings"]}
    assert found >= {
        ("PHONE_NUMBER", "415-555-2671"),
        ("PASSWORD", "hunter2"),
        ("STUDENT_FULL_NAME", "Emma Johnson"),
    }
    for f in doc["findings"]:
        assert TEXT[f["start"] : f["end"]] == f["text"]


def test_scan_jsonl_from_stdin_one_object_per_line() -> None:
    lines = b"hello there\nyou stupid f*cking idiot\n\xff\xfe bad utf8\nbin\x00ary\n"
    result = CliRunner().invoke(scan, ["-", "--jsonl"], input=lines)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4]
    assert rows[1]["labels"]["offensive"] > rows[0]["labels"]["offensive"]
    assert any(f["entity"] == "PROFANITY" for f in rows[1]["findings"])
    assert "warnings" in rows[2]
    assert "binary data" in rows[3]["error"] and "<stdin>:4" in rows[3]["error"]


def test_scan_html_and_eml(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><script>x()</script><p>write kid@example.com</p></html>", "utf-8")
    result = CliRunner().invoke(scan, [str(page), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["kind"] == "html" and doc["findings"][0]["entity"] == "EMAIL_ADDRESS"
    mail = tmp_path / "m.eml"
    mail.write_bytes(b"From: a@b.org\r\nSubject: hi\r\n\r\nmy pw: Dragon99!\r\n")
    doc = json.loads(CliRunner().invoke(scan, [str(mail), "--json"]).output)
    assert doc["kind"] == "eml" and any(f["entity"] == "PASSWORD" for f in doc["findings"])


def test_scan_errors_name_the_input(tmp_path: Path) -> None:
    binary = tmp_path / "img.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = CliRunner().invoke(scan, [str(binary)])
    assert result.exit_code == 1 and "img.png: binary data" in result.output
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2000)
    result = CliRunner().invoke(scan, [str(big), "--max-bytes", "1000"])
    assert result.exit_code == 1 and "big.txt: larger than the 1,000-byte limit" in result.output
    result = CliRunner().invoke(scan, [str(tmp_path / "missing.txt")])
    assert result.exit_code == 1 and "missing.txt: No such file" in result.output
    result = CliRunner().invoke(scan, [str(big), "--student-id", "bad=(\\d+"])
    assert result.exit_code == 1 and "'bad'" in result.output


def test_classify_labels_lists_every_label() -> None:
    result = CliRunner().invoke(classify, ["labels"])
    assert result.exit_code == 0
    for label in ("offensive", "hate", "threat", "sexual", "self_harm", "dangerous"):
        assert label in result.output
