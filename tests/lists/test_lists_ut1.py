"""UT1 as published: tarball or folder, usage files, split domain files, symlinked aliases."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from schoolgate.classify.domains import CategoryIndex
from schoolgate.classify.domains.build import build_index
from schoolgate.lists import ut1
from schoolgate.lists.model import Action, Entry, ImportReport, Scope, Severity
from schoolgate.lists.names import R_IP

SHARED_UT1 = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ut1"
REAL_TARBALL = SHARED_UT1 / "blacklists.tar.gz"

# category -> file -> content; "->x" makes a symbolic link to x.
TREE: dict[str, dict[str, str] | str] = {
    "adult": {
        "domains": "porn.example\nXXX.Example.\n10.9.8.7\nbad name.example\n",
        "urls": "site.example/adult\nother.example/x\n",
        "expressions": "(sex|porn)\n",
        "usage": "black\nadult\nporn\n",
    },
    "porn": "->adult",
    "games": {
        "domains.0": "game.example\nplay.example\n",
        "domains.1": "arcade.example\n.leading.example\n",
        "usage": "# games\nblack\n",
    },
    "educational_games": {"domains": "learn.play.example\n", "usage": "white\neducational_games\n"},
    "bank": {"domains": "bank.example\n", "usage": "white black\n"},
    "liste_blanche": {"domains": "school.example\n"},
    "exceptions": {"domains": "odd.example\n"},
    "strict_redirector": {"domains": "->../redirector/domains", "usage": "black\n"},
    "redirector": {"domains": "proxy.example\n", "usage": "black\n"},
}
GLOBAL_USAGE = "NAME:\tliste_blanche\nDEFAULT_TYPE: white\n\nNAME: games\nDEFAULT_TYPE: black\n"


def make_folder(root: Path) -> Path:
    base = root / "blacklists"
    base.mkdir(parents=True)
    (base / "global_usage").write_text(GLOBAL_USAGE)
    (base / "README").write_text("")
    for category, content in TREE.items():
        if isinstance(content, str):
            (base / category).symlink_to(content[2:])
            continue
        folder = base / category
        folder.mkdir()
        for name, text in content.items():
            if text.startswith("->"):
                (folder / name).symlink_to(text[2:])
            else:
                (folder / name).write_text(text)
    return root


def make_tarball(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:

        def add_dir(name: str) -> None:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)

        def add_file(name: str, text: str) -> None:
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        def add_link(name: str, target: str) -> None:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)

        add_dir("blacklists/")
        add_file("blacklists/global_usage", GLOBAL_USAGE)
        # Domain files first and usage last, as the real tarball sometimes orders them.
        for category, content in TREE.items():
            if isinstance(content, str):
                add_link(f"blacklists/{category}", content[2:])
                continue
            add_dir(f"blacklists/{category}/")
            for name, text in sorted(content.items(), key=lambda kv: kv[0] == "usage"):
                if text.startswith("->"):
                    add_link(f"blacklists/{category}/{name}", text[2:])
                else:
                    add_file(f"blacklists/{category}/{name}", text)
    return path


EXPECTED = {
    ("porn.example", "adult", Action.BLOCK),
    ("xxx.example", "adult", Action.BLOCK),
    ("game.example", "games", Action.BLOCK),
    ("play.example", "games", Action.BLOCK),
    ("arcade.example", "games", Action.BLOCK),
    ("leading.example", "games", Action.BLOCK),
    ("learn.play.example", "educational_games", Action.ALLOW),
    ("bank.example", "bank", Action.BLOCK),  # "white black": usable either way, so a category
    ("school.example", "liste_blanche", Action.ALLOW),  # no usage file: global_usage says white
    ("odd.example", "exceptions", Action.BLOCK),  # neither: black, with a note
    ("proxy.example", "redirector", Action.BLOCK),
    ("proxy.example", "strict_redirector", Action.BLOCK),  # its domains file is a link
}


@pytest.fixture(params=["tarball", "folder"])
def ut1_tree(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "tarball":
        return make_tarball(tmp_path / "blacklists.tar.gz")
    return make_folder(tmp_path / "ut1")


def test_reads_ut1_tree(ut1_tree: Path) -> None:
    report = ImportReport()
    entries = list(ut1.read_ut1(ut1_tree, report, white_as_allow=True))
    assert {(e.name, e.category, e.action) for e in entries} == EXPECTED
    assert all(e.scope is Scope.SUBTREE for e in entries)
    assert report.aliases == {"porn": "adult"}
    assert not any(e.category == "porn" for e in entries)
    reasons = {(p.severity, p.reason): p for p in report.problems}
    ip = reasons[(Severity.SKIPPED, R_IP)]
    assert ip.where().endswith("adult/domains:3")
    bad = next(p for p in report.problems if p.severity is Severity.BAD)
    assert bad.where().endswith("adult/domains:4")
    assert bad.text == "bad name.example"
    urls = reasons[(Severity.SKIPPED, ut1.R_URL_FILE)]
    assert urls.count == 2 and urls.where().endswith("adult/urls")
    assert report.problem_counts[(Severity.SKIPPED, ut1.R_EXPRESSION_FILE)] == 1
    assert any("exceptions has no usage file" in note for note in report.notes)


def test_white_lists_are_categories_by_default(ut1_tree: Path) -> None:
    """A white list overrides every block list for everyone; by default the pack decides instead."""
    entries = list(ut1.read_ut1(ut1_tree, ImportReport()))
    assert {e.action for e in entries} == {Action.BLOCK}
    assert ("learn.play.example", "educational_games") in {(e.name, e.category) for e in entries}


def test_only_some_categories(ut1_tree: Path) -> None:
    report = ImportReport()
    wanted = ["games", "strict_redirector", "no_such"]
    entries = list(ut1.read_ut1(ut1_tree, report, only=wanted))
    assert any("no category 'no_such'" in note for note in report.notes)
    assert {(e.name, e.category) for e in entries} == {
        ("game.example", "games"),
        ("play.example", "games"),
        ("arcade.example", "games"),
        ("leading.example", "games"),
        ("proxy.example", "strict_redirector"),
    }


def test_not_ut1(tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("hello\n")
    report = ImportReport()
    assert list(ut1.read_ut1(tmp_path, report)) == []
    assert report.problem_counts[(Severity.BAD, ut1.R_NOT_UT1)] == 1


def test_hostile_member_paths_stay_inside(tmp_path: Path) -> None:
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in (
            ("blacklists/../../etc/domains", "escape.example\n"),
            ("/abs/domains", "abs.example\n"),
            ("blacklists/ok/domains", "ok.example\n"),
            ("blacklists/Bad Name!/domains", "x.example\n"),
        ):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    report = ImportReport()
    entries = list(ut1.read_ut1(path, report))
    # `..` is resolved inside the archive, never above it; nothing is extracted anywhere.
    assert {(e.name, e.category) for e in entries} == {
        ("escape.example", "etc"),
        ("abs.example", "abs"),
        ("ok.example", "ok"),
    }
    assert report.problem_counts[(Severity.SKIPPED, ut1.R_BAD_CATEGORY)] == 1
    assert not (tmp_path.parent / "etc").exists()


def test_usage_parsing() -> None:
    usage = ut1.parse_usage("#\tThis list is no longer maintained.\nblack\nphishing\n")
    assert (usage.black, usage.white, usage.keywords) == (True, False, ["phishing"])
    both = ut1.parse_usage("white black\n")
    assert both.action({}, white_as_allow=True) is Action.BLOCK
    white = ut1.parse_usage("white\n")
    assert white.action({}, white_as_allow=True) is Action.ALLOW
    assert white.action({}, white_as_allow=False) is Action.BLOCK
    assert ut1.parse_global_usage(GLOBAL_USAGE) == {"liste_blanche": "white", "games": "black"}


@pytest.mark.skipif(
    not REAL_TARBALL.exists(), reason=f"shared UT1 copy not found at {REAL_TARBALL}"
)
def test_real_ut1_tarball(tmp_path: Path) -> None:
    """The one test that reads the whole shared UT1 copy (adult/malware/phishing domains absent)."""
    report = ImportReport()
    out = tmp_path / "ut1.sgidx"
    entries: list[Entry] = []

    def keep(entry: Entry) -> Entry:
        if len(entries) < 5 or entry.category == "educational_games":
            entries.append(entry)
        return entry

    summary = build_index(
        (keep(e) for e in ut1.read_ut1(REAL_TARBALL, report, white_as_allow=True)),
        out,
        aliases=report.aliases,
    )
    assert report.aliases["porn"] == "adult"
    assert report.aliases["proxy"] == "redirector"
    assert report.bad_lines == 0
    counts = summary.counts
    for category in ("games", "gambling", "redirector", "vpn", "doh", "shortener", "dating"):
        assert counts[category]["block"] > 1000, category
    assert counts["educational_games"] == {
        "block": 0,
        "allow": counts["educational_games"]["allow"],
    }
    assert counts["educational_games"]["allow"] > 0
    assert "adult" not in counts  # the copy has no adult domains file, only urls/expressions
    assert report.problem_counts[(Severity.SKIPPED, ut1.R_URL_FILE)] > 1000
    assert summary.names > 300_000

    with CategoryIndex.open(out) as index:
        assert index.aliases["porn"] == "adult"
        listed = entries[0]
        match = index.lookup(f"deep.sub.{listed.name}")
        found = match.allowed_by if listed.action is Action.ALLOW else match.categories
        assert listed.category in found
        assert match.matched_suffix == listed.name
        educational = next(e for e in entries if e.category == "educational_games")
        assert "educational_games" in index.lookup(educational.name).allowed_by
        assert not index.lookup("not-a-listed-name.invalid").listed
