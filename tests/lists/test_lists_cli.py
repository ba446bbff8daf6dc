"""`schoolgate lists …` as an operator runs it: import, lookup, stats, update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from schoolgate.cli import main
from schoolgate.lists.sources import SourceError, default_category, detect_format, parse_spec

HOSTS = "# hosts\n0.0.0.0 ads.example\n127.0.0.1 localhost\n0.0.0.0 bad!.example\n"
ADBLOCK = "! list\n||tracker.example^\n@@||good.tracker.example^\n||x.example^$client=1.2.3.4\n"
PLAIN = "# plain\nchat.example\n*.wild.example\nhttp://nope.example/x\n"
RPZ = "$ORIGIN rpz.test.\n@ SOA a. b. 1 1 1 1 1\nbad.rpz CNAME .\nrewrite CNAME other.example.\n"


@pytest.fixture
def lists_dir(tmp_path: Path) -> Path:
    (tmp_path / "hosts.txt").write_text(HOSTS)
    (tmp_path / "ads.txt").write_text(ADBLOCK)
    (tmp_path / "chat.txt").write_text(PLAIN)
    (tmp_path / "policy.zone").write_text(RPZ)
    (tmp_path / "ok.txt").write_text("chat.example\n")
    return tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lists", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_import_lookup_stats(lists_dir: Path) -> None:
    out = lists_dir / "var" / "index.sgidx"
    code, output = invoke(
        "import",
        str(lists_dir / "hosts.txt"),
        f"adblock:{lists_dir / 'ads.txt'}=ads",
        f"{lists_dir / 'chat.txt'}=chat",
        f"rpz:{lists_dir / 'policy.zone'}",
        "--allow",
        f"plain:{lists_dir / 'ok.txt'}=district_ok",
        "--out",
        str(out),
    )
    assert code == 0, output
    assert f"{lists_dir / 'hosts.txt'}:4: bad: character not allowed" in output
    assert f"{lists_dir / 'ads.txt'}:4: skipped: unsupported modifier $client" in output
    assert f"{lists_dir / 'chat.txt'}:4: skipped: URL or path" in output
    assert f"{lists_dir / 'policy.zone'}:4: skipped: CNAME rewrite" in output
    assert "standard local host name: 1" in output
    assert "UT1" not in output  # attribution only when UT1 lists were imported
    assert out.exists()

    code, output = invoke(
        "lookup",
        "--index",
        str(out),
        "www.tracker.example",
        "a.good.tracker.example",
        "chat.example",
        "x.wild.example",
        "bad.rpz",
        "unlisted.example",
    )
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "www.tracker.example\tads\t(listed as tracker.example)"
    assert lines[1].startswith("a.good.tracker.example\t-\t(allowed by ads; overriding ads;")
    assert lines[2].startswith("chat.example\t-\t(allowed by district_ok; overriding chat;")
    assert lines[3] == "x.wild.example\tchat\t(listed as wild.example)"
    assert lines[4] == "bad.rpz\tpolicy\t(listed as bad.rpz)"
    assert lines[5] == "unlisted.example\t-\t(not listed)"

    code, output = invoke("lookup", "--index", str(out), "--json", "ads.example")
    record = json.loads(output)
    assert record["categories"] == ["hosts"] and record["matched_suffix"] == "ads.example"

    code, output = invoke("stats", "--index", str(out))
    assert code == 0
    assert "names     6" in output  # chat.example is in two lists
    code, output = invoke("stats", "--index", str(out), "--json")
    assert json.loads(output)["categories"]["district_ok"] == {"block": 0, "allow": 1}


def test_import_json_and_strict(lists_dir: Path) -> None:
    out = lists_dir / "i.sgidx"
    result = CliRunner().invoke(
        main,
        ["lists", "import", str(lists_dir / "hosts.txt"), "--out", str(out), "--json", "--strict"],
    )
    assert result.exit_code == 1  # one bad line, written anyway
    summary = json.loads(result.output)
    assert summary["names"] == 1
    assert summary["problems"]["bad: character not allowed in a domain name"] == 1
    assert out.exists()


def test_import_errors(lists_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["lists", "import", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "no such file or folder" in result.output
    result = CliRunner().invoke(main, ["lists", "import"])
    assert result.exit_code == 2 and "at least one source" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    result = CliRunner().invoke(main, ["lists", "import", str(empty), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "no names" in result.output
    assert not (tmp_path / "x").exists()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 64)
    result = CliRunner().invoke(
        main, ["lists", "import", f"ut1:{broken}", "--out", str(tmp_path / "y")]
    )
    assert result.exit_code == 1 and "not a readable tarball" in result.output
    assert not (tmp_path / "y").exists()
    result = CliRunner().invoke(main, ["lists", "lookup", "--index", str(tmp_path / "none"), "a.b"])
    assert result.exit_code == 1 and "no index yet" in result.output


def test_update_from_file_url(tmp_path: Path) -> None:
    import io
    import tarfile

    tarball = tmp_path / "blacklists.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        data = "".join(f"site{i}.example\n" for i in range(1500)).encode()
        info = tarfile.TarInfo("blacklists/games/domains")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    out = tmp_path / "var" / "index.sgidx"
    args = [
        "update",
        "--url",
        tarball.as_uri(),
        "--dir",
        str(tmp_path / "var"),
        "--out",
        str(out),
        "--min-size",
        "1000",
    ]
    code, output = invoke(*args)
    assert code == 0, output
    assert "updated" in output and "CC BY-SA 4.0" in output
    code, output = invoke(*args)
    assert code == 0 and "unchanged" in output
    tarball.write_bytes(b"not a tarball at all" * 100)
    result = CliRunner().invoke(main, ["lists", *args])
    assert result.exit_code == 1
    assert "update refused" in result.output and "unchanged" in result.output


@pytest.mark.parametrize(
    ("text", "fmt", "path", "category", "allow"),
    [
        ("list.txt", None, "list.txt", None, False),
        ("hosts:/x/list.txt", "hosts", "/x/list.txt", None, False),
        ("ADBLOCK:ads.txt=Ads", "adblock", "ads.txt", "ads", False),
        ("ut1:bl.tar.gz=adult,games", "ut1", "bl.tar.gz", "adult,games", False),
        ("c:/weird.txt", None, "c:/weird.txt", None, False),
        ("plain:ok.txt=district_ok", "plain", "ok.txt", "district_ok", True),
    ],
)
def test_parse_spec(
    text: str, fmt: str | None, path: str, category: str | None, allow: bool
) -> None:
    spec = parse_spec(text, allow=allow)
    assert (spec.format, str(spec.path), spec.category, spec.allow) == (fmt, path, category, allow)


@pytest.mark.parametrize("text", ["plain:", "x.txt=bad name", "ut1:x=a,b c"])
def test_parse_spec_errors(text: str) -> None:
    with pytest.raises(SourceError):
        parse_spec(text)


def test_detect_format(lists_dir: Path) -> None:
    assert detect_format(lists_dir / "hosts.txt") == "hosts"
    assert detect_format(lists_dir / "ads.txt") == "adblock"
    assert detect_format(lists_dir / "chat.txt") == "plain"
    assert detect_format(lists_dir / "policy.zone") == "rpz"
    assert default_category(Path("/a/Ads-List.v2.txt")) == "ads-list"
    with pytest.raises(SourceError):
        detect_format(lists_dir / "missing")
