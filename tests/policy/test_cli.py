"""The policy commands as a district runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schoolgate.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = str(FIXTURES / "good" / "minimal.yaml")


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_check_ok_and_broken() -> None:
    code, out = run("policy", "check", MINIMAL)
    assert code == 0 and "ok" in out
    broken = str(FIXTURES / "broken" / "unknown-clause.yaml")
    code, out = run("policy", "check", broken)
    assert code == 1
    assert f"{broken}:" in out and "unknown clause 't/filter#9'" in out


def test_test_reports_counts_and_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    code, out = run("policy", "test", MINIMAL)
    assert code == 0 and "3 passed, 0 failed" in out
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        Path(MINIMAL)
        .read_text()
        .replace(
            "expect: {action: block, rules: [students-games]",
            "expect: {action: allow, rules: [students-games]",
        )
    )
    code, out = run("policy", "test", str(wrong))
    assert code == 1 and "FAIL games-blocked-in-school" in out and "2 passed, 1 failed" in out


def test_coverage_formats() -> None:
    code, out = run("policy", "coverage", MINIMAL, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["totals"]["served_percent"] == 100.0 and doc["totals"]["clauses"] == 10
    code, out = run("policy", "coverage", MINIMAL, "--format", "markdown")
    assert "| `t/filter#1` |" in out
    code, out = run("policy", "coverage", MINIMAL)
    assert "10/10 clauses served (100.0 %)" in out


def test_coverage_lists_unserved_clauses_first(tmp_path: Path) -> None:
    partial = tmp_path / "partial.yaml"
    partial.write_text(
        Path(MINIMAL)
        .read_text()
        .replace("text: Be polite., served: advisory", "text: Be polite., served: enforced")
    )
    code, out = run("policy", "coverage", str(partial), "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["clauses"][0] == {
        "id": "t/conduct#1",
        "section": "Conduct",
        "served": "enforced",
        "by": [],
        "ok": False,
    }
    assert doc["totals"]["served"] == 9


def test_diff_material_and_not(tmp_path: Path) -> None:
    minor = tmp_path / "minor.yaml"
    minor.write_text(
        Path(MINIMAL)
        .read_text()
        .replace('version: "1"', 'version: "2"')
        .replace("severity: low", "severity: medium")
    )
    code, out = run("policy", "diff", MINIMAL, str(minor), "--exit-code")
    assert code == 0 and "not material" in out
    material = tmp_path / "material.yaml"
    material.write_text(
        Path(MINIMAL)
        .read_text()
        .replace("text: Do not bypass the filter.", "text: Never bypass the filter.")
    )
    code, out = run("policy", "diff", MINIMAL, str(material), "--exit-code", "--format", "json")
    assert code == 3
    assert json.loads(out)["clauses"]["reworded"] == ["t/filter#2"]


def test_schema_is_the_models_schema() -> None:
    code, out = run("policy", "schema")
    doc = json.loads(out)
    assert code == 0 and doc["title"] == "schoolgate policy pack"
    assert "Conditions" in doc["$defs"] and doc["additionalProperties"] is False


def test_compile_then_decide_from_the_snapshot(tmp_path: Path) -> None:
    out_file = tmp_path / "snap.json"
    code, out = run("policy", "compile", MINIMAL, "-o", str(out_file))
    assert code == 0 and out_file.exists() and "revision" in out
    event = {
        "channel": "web",
        "time": "2026-10-05T10:00:00-04:00",
        "subject": {"roles": ["student"]},
        "web": {"domain": "g.example", "categories": ["games"]},
    }
    code, out = run(
        "decide", "--snapshot", str(out_file), "--format", "json", "-", input=json.dumps(event)
    )
    decision = json.loads(out)
    assert (
        code == 0 and decision["action"] == "block" and decision["clauses"][0]["id"] == "t/filter#1"
    )


def test_decide_text_and_jsonl(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"channel": "web", "subject": {"roles": ["student"]}, "web": {"domain": "p.example", "categories": ["vpn"]}}\n'
        '{"channel": "email", "subject": {"roles": ["teacher"]}, "email": {"findings": ["password"]}}\n'
    )
    code, out = run("decide", "--pack", MINIMAL, str(events))
    assert code == 0
    assert out.count("action:") == 2 and "block" in out and "hold" in out and "t/email#1" in out


def test_decide_bad_event_names_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"channel": "web", "web": {"domain": "x", "colour": 1}}')
    code, out = run("decide", "--pack", MINIMAL, str(bad))
    assert code == 1 and "web.colour: unknown field" in out


def test_demo_runs_on_a_pack() -> None:
    code, out = run("demo", "--pack", MINIMAL)
    assert code == 0 and "BLOCK" in out and "HOLD" in out and "10 of 10 clauses served" in out


def test_a_broken_pack_never_replaces_a_working_snapshot(tmp_path: Path) -> None:
    target = tmp_path / "snapshot.json"
    code, _ = run("policy", "compile", MINIMAL, "-o", str(target))
    good = target.read_bytes()
    code, out = run(
        "policy", "compile", str(FIXTURES / "broken" / "conflict.yaml"), "-o", str(target)
    )
    assert code == 1 and "conflict" in out
    assert target.read_bytes() == good
    assert not list(tmp_path.glob("*.tmp"))
