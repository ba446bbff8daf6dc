"""`update`: a good download replaces the index; a bad one changes nothing (file:// URLs, no network)."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from schoolgate.classify.domains import CategoryIndex
from schoolgate.lists.update import UpdateError, UpdateResult, update_ut1


def ut1_tarball(path: Path, names: int, *, tag: str = "v1") -> Path:
    """A small UT1-shaped tarball: `games` with `names` domains, `porn -> adult` alias."""
    with tarfile.open(path, "w:gz") as tar:
        files = {
            "blacklists/games/domains": "".join(f"g{i}-{tag}.example\n" for i in range(names)),
            "blacklists/games/usage": "black\n",
            "blacklists/adult/domains": f"adult-{tag}.example\n",
            "blacklists/adult/usage": "black\n",
        }
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("blacklists/porn")
        link.type = tarfile.SYMTYPE
        link.linkname = "adult"
        tar.addfile(link)
    return path


@pytest.fixture
def where(tmp_path: Path) -> dict[str, Path]:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    return {"mirror": mirror, "state": tmp_path / "var", "index": tmp_path / "var" / "index.sgidx"}


def run(where: dict[str, Path], **kwargs: Any) -> UpdateResult:
    options: dict[str, Any] = {"min_size": 100, "min_names": 10, **kwargs}
    url = (where["mirror"] / "blacklists.tar.gz").as_uri()
    return update_ut1(state_dir=where["state"], index_path=where["index"], url=url, **options)


def test_first_update_then_unchanged(where: dict[str, Path]) -> None:
    ut1_tarball(where["mirror"] / "blacklists.tar.gz", 200)
    result = run(where)
    assert result.status == "updated"
    assert any("no published MD5" in check for check in result.checks)
    with CategoryIndex.open(where["index"]) as index:
        assert index.lookup("www.g5-v1.example").categories == {"games"}
        assert index.aliases == {"porn": "adult"}
        assert index.header["meta"]["ut1"]["sha256"] == result.sha256
    good = where["state"] / "ut1" / "blacklists.tar.gz"
    assert good.read_bytes() == (where["mirror"] / "blacklists.tar.gz").read_bytes()
    again = run(where)
    assert again.status == "unchanged"


def test_published_md5_is_checked(where: dict[str, Path]) -> None:
    tarball = ut1_tarball(where["mirror"] / "blacklists.tar.gz", 50)
    digest = hashlib.md5(tarball.read_bytes(), usedforsecurity=False).hexdigest()
    (where["mirror"] / "blacklists.tar.gz.md5").write_text(f"{digest}  blacklists.tar.gz\n")
    assert any(check.startswith("MD5 matches") for check in run(where).checks)
    (where["mirror"] / "blacklists.tar.gz.md5").write_text("0" * 32 + "\n")
    ut1_tarball(tarball, 60, tag="v2")
    with pytest.raises(UpdateError, match="does not match the published"):
        run(where)


def snapshot(where: dict[str, Path]) -> tuple[bytes, bytes]:
    return (
        where["index"].read_bytes(),
        (where["state"] / "ut1" / "blacklists.tar.gz").read_bytes(),
    )


@pytest.mark.parametrize(
    ("break_it", "kwargs", "message"),
    [
        ("truncate", {}, "not a readable UT1 tarball"),
        ("garbage", {}, "not a readable UT1 tarball"),
        ("tiny", {"min_size": 10_000}, "below the 10000-byte minimum"),
        ("none", {"sha256": "ab" * 32}, "is not the expected"),
        ("none", {"md5_url": "file:///nonexistent/blacklists.md5"}, "cannot check the MD5"),
        ("shrink", {}, "under 50% of the"),
        ("not-ut1", {}, "no <category>/domains files found"),
        ("none", {"max_size": 200}, "larger than 200 bytes"),
    ],
)
def test_bad_download_changes_nothing(
    where: dict[str, Path], break_it: str, kwargs: dict[str, Any], message: str
) -> None:
    mirror_file = where["mirror"] / "blacklists.tar.gz"
    ut1_tarball(mirror_file, 300)
    run(where)
    before = snapshot(where)

    ut1_tarball(mirror_file, 400, tag="v2")
    data = mirror_file.read_bytes()
    if break_it == "truncate":
        mirror_file.write_bytes(data[: len(data) // 2])
    elif break_it == "garbage":
        mirror_file.write_bytes(b"<html>Service unavailable</html>" * 20)
    elif break_it == "tiny":
        pass
    elif break_it == "shrink":
        ut1_tarball(mirror_file, 20, tag="v3")
    elif break_it == "not-ut1":
        with tarfile.open(mirror_file, "w:gz") as tar:
            payload = b"x" * 500
            info = tarfile.TarInfo("photos/cat.jpg")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))

    with pytest.raises(UpdateError, match=message):
        run(where, **kwargs)
    assert snapshot(where) == before
    leftovers = {p.name for p in (where["state"] / "ut1").iterdir()}
    assert leftovers <= {"blacklists.tar.gz", "state.json", "rejected.tar.gz"}
    assert not any(p.name.endswith((".tmp", ".candidate")) for p in where["state"].rglob("*"))


def test_force_accepts_a_real_shrink(where: dict[str, Path]) -> None:
    mirror_file = where["mirror"] / "blacklists.tar.gz"
    ut1_tarball(mirror_file, 300)
    run(where)
    ut1_tarball(mirror_file, 20, tag="small")
    result = run(where, force=True)
    assert result.status == "updated"
    assert any("accepted (--force)" in check for check in result.checks)
    with CategoryIndex.open(where["index"]) as index:
        assert len(index) == 21


def test_only_known_url_schemes(where: dict[str, Path]) -> None:
    with pytest.raises(UpdateError, match="only file, http, https URLs"):
        update_ut1(state_dir=where["state"], index_path=where["index"], url="ftp://x/y.tar.gz")
    assert not where["index"].exists()


def test_first_update_with_a_bad_download_writes_nothing(where: dict[str, Path]) -> None:
    (where["mirror"] / "blacklists.tar.gz").write_bytes(b"\x1f\x8b" + b"\0" * 500)
    with pytest.raises(UpdateError):
        run(where)
    assert not where["index"].exists()
    assert not (where["state"] / "ut1" / "blacklists.tar.gz").exists()
