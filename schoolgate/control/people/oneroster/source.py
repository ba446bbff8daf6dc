"""Opening a OneRoster set — a folder or a zip — and reading its manifest.

A zip is read in memory with limits on member and total size (a zip bomb is refused, not
unpacked), and files may sit at the top or in one folder, as exports often nest them.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from schoolgate.control.people.oneroster.csvread import read_table
from schoolgate.control.people.oneroster.problems import Problem, RosterError
from schoolgate.control.people.oneroster.schema import HEADERS, IGNORED_FILES, MODES, VERSIONS

MAX_MEMBER_BYTES: Final = 2 * 1024**3
MAX_TOTAL_BYTES: Final = 4 * 1024**3
MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class Manifest:
    version: str
    modes: dict[str, str]  # file stem → bulk | delta (absent files are left out)
    system: str


@dataclass(frozen=True)
class RosterSource:
    """The bytes of each CSV file of the set, by stem (`users`), and where they came from."""

    name: str
    files: dict[str, bytes]


def open_source(path: Path) -> RosterSource:
    if path.is_dir():
        files = {p.stem: p.read_bytes() for p in sorted(path.iterdir()) if p.suffix == ".csv"}
        return RosterSource(path.name, files)
    if not path.exists():
        raise RosterError([Problem(str(path), None, "does not exist")])
    if not zipfile.is_zipfile(path):
        raise RosterError([Problem(path.name, None, "is neither a folder nor a zip file")])
    return _open_zip(path)


def _open_zip(path: Path) -> RosterSource:
    files: dict[str, bytes] = {}
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            csvs = [m for m in members if m.filename.lower().endswith(".csv")]
            folders = {PurePosixPath(m.filename).parent for m in csvs}
            if len(folders) > 1:
                raise RosterError(
                    [Problem(path.name, None, "has CSV files in more than one folder")]
                )
            for member in csvs:
                if member.file_size > MAX_MEMBER_BYTES:
                    raise RosterError(
                        [
                            Problem(
                                f"{path.name}/{member.filename}",
                                None,
                                "is larger than 2 GiB unpacked",
                            )
                        ]
                    )
                total += member.file_size
                if total > MAX_TOTAL_BYTES:
                    raise RosterError([Problem(path.name, None, "unpacks to more than 4 GiB")])
                files[PurePosixPath(member.filename).stem] = archive.read(member)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RosterError([Problem(path.name, None, f"cannot be read as a zip: {exc}")]) from None
    return RosterSource(path.name, files)


def read_manifest(source: RosterSource) -> Manifest:
    data = source.files.get("manifest")
    if data is None:
        raise RosterError([Problem(MANIFEST, None, f"is missing from {source.name}")])
    table = read_table(MANIFEST, data, ("propertyName", "value"))
    props: dict[str, tuple[str, int]] = {}
    problems: list[Problem] = []
    for row in table.rows:
        key, value = row.values["propertyName"].strip(), row.values["value"].strip()
        if key in props:
            problems.append(Problem(MANIFEST, row.line, f"{key} is given twice"))
        props[key] = (value, row.line)
    version, line = props.get("oneroster.version", ("", None))
    if version not in VERSIONS:
        problems.append(
            Problem(
                MANIFEST,
                line,
                f"oneroster.version is {version or 'missing'}; "
                f"schoolgate reads {' and '.join(VERSIONS)}",
            )
        )
        raise RosterError(problems)
    known = HEADERS[version]
    modes: dict[str, str] = {}
    for key, (value, line) in props.items():
        if not key.startswith("file."):
            continue
        stem = key.removeprefix("file.")
        if value not in MODES:
            problems.append(
                Problem(MANIFEST, line, f"{key} is {value!r}; expected bulk, delta or absent")
            )
        elif stem not in known and stem not in IGNORED_FILES:
            problems.append(Problem(MANIFEST, line, f"{key}: no such file in OneRoster {version}"))
        elif value != "absent":
            if stem not in source.files:
                problems.append(
                    Problem(
                        MANIFEST, line, f"{key} is {value} but {stem}.csv is not in {source.name}"
                    )
                )
            if stem in known:
                modes[stem] = value
        elif stem in source.files:
            problems.append(Problem(MANIFEST, line, f"{key} is absent but {stem}.csv is present"))
    for stem in source.files:
        if stem != "manifest" and f"file.{stem}" not in props:
            problems.append(Problem(f"{stem}.csv", None, "is not listed in manifest.csv"))
    if version == "1.2" and modes.get("users") == "bulk" and "roles" not in modes:
        problems.append(
            Problem(MANIFEST, None, "OneRoster 1.2 bulk users need roles.csv (file.roles)")
        )
    if problems:
        raise RosterError(problems)
    return Manifest(version, modes, props.get("source.systemName", ("", 0))[0])
