"""The loader: positions, multi-file packs, and that a broken pack never replaces a good one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolgate.policy.loader import load_pack, resolve, shipped_packs
from schoolgate.policy.problems import PackError
from schoolgate.policy.yamlsource import load_yaml

MINIMAL = Path(__file__).parent / "fixtures" / "good" / "minimal.yaml"


def test_positions_are_recorded_for_keys_and_values() -> None:
    data, locator = load_yaml("a:\n  b: [1, 2]\n  c: x\n", "f.yaml")
    assert data == {"a": {"b": [1, 2], "c": "x"}}
    assert str(locator.value(("a", "b", 1))) == "f.yaml:2:10"
    assert str(locator.key(("a", "c"))) == "f.yaml:3:3"
    assert str(locator.value(("a", "c"))) == "f.yaml:3:6"


def test_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    with pytest.raises(PackError, match="too large"):
        load_yaml(bomb, "bomb.yaml")


def test_pack_split_over_files_matches_single_file(tmp_path: Path) -> None:
    import yaml

    whole = yaml.safe_load(MINIMAL.read_text())
    for name, sections in {
        "pack.yaml": ["schoolgate", "metadata", "roles", "groups", "categories", "consents",
                      "grants", "windows", "failure", "defaults"],
        "clauses.yaml": ["clauses"],
        "rules.yaml": ["rules"],
        "cases.yaml": ["cases"],
    }.items():  # fmt: skip
        (tmp_path / name).write_text(yaml.safe_dump({k: whole[k] for k in sections}))
    assert load_pack(tmp_path).pack == load_pack(MINIMAL).pack


def test_section_in_two_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(MINIMAL.read_text())
    (tmp_path / "b.yaml").write_text("rules: []\n")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path)
    assert "section 'rules' appears again" in str(caught.value)
    assert str(tmp_path / "b.yaml") + ":1:1" in str(caught.value)


def test_unknown_pack_names_the_shipped_ones() -> None:
    with pytest.raises(PackError, match="shipped packs"):
        resolve("no-such-pack")


def test_shipped_packs_are_listed() -> None:
    assert {"ces", "crec", "cipa-baseline"} <= set(shipped_packs())


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = (
        MINIMAL.read_text()
        .replace("[t/filter#2]", "[t/nope#1]")
        .replace("[shopping]}", "[shoping]}")
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(PackError) as caught:
        load_pack(bad)
    codes = {p.code for p in caught.value.problems}
    assert {"unknown-clause", "unknown-category"} <= codes


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_pack_error_not_a_crash(text: str) -> None:
    try:
        load_yaml(text, "fuzz.yaml")
    except PackError as exc:
        assert exc.problems and exc.problems[0].position.file == "fuzz.yaml"


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=4000), st.binary(min_size=1, max_size=8))
def test_corrupted_pack_is_refused_cleanly(
    tmp_path_factory: pytest.TempPathFactory, at: int, junk: bytes
) -> None:
    original = MINIMAL.read_bytes()
    at = at % len(original)
    damaged = original[:at] + junk + original[at + len(junk) :]
    path = tmp_path_factory.mktemp("fuzz") / "pack.yaml"
    path.write_bytes(damaged)
    try:
        load_pack(path)
    except PackError as exc:
        assert all(p.position.file == str(path) for p in exc.problems)
