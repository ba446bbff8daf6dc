"""Finding, reading and validating a pack: the only way a pack enters schoolgate.

`load_pack` either returns a pack that passed every check or raises PackError with every problem
pinned to file:line:column. Callers that replace a working pack (the control plane, `snapshot
publish`) load the new one first and swap only on success, so a broken pack never replaces a
working one.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path

import pydantic
from pydantic import BaseModel

from schoolgate.policy.model import Pack
from schoolgate.policy.problems import PackError, Position, Problem
from schoolgate.policy.yamlsource import Locator, PathKey, load_yaml

SHIPPED = Path(__file__).parent / "packs"
MAX_PACK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class LoadedPack:
    pack: Pack
    locator: Locator
    root: Path
    files: tuple[Path, ...]
    tolerated: tuple[Problem, ...] = ()


def shipped_packs() -> list[str]:
    return sorted(p.name for p in SHIPPED.iterdir() if p.is_dir() and any(p.glob("*.yaml")))


def resolve(name_or_path: str | Path) -> Path:
    """A path as given, or the name of a shipped pack (`ces`)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    if isinstance(name_or_path, str) and (SHIPPED / name_or_path).is_dir():
        return SHIPPED / name_or_path
    known = ", ".join(shipped_packs())
    raise PackError(
        [
            Problem(
                Position(str(name_or_path), 1, 1),
                "no such pack file, directory or shipped pack",
                f"shipped packs: {known}",
                code="missing",
            )
        ]
    )


def _pack_files(root: Path) -> list[Path]:
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
        if not files:
            raise PackError(
                [
                    Problem(
                        Position(str(root), 1, 1), "directory holds no *.yaml files", code="missing"
                    )
                ]
            )
        return files
    return [root]


def read_raw(name_or_path: str | Path) -> tuple[dict[str, object], Locator, Path, list[Path]]:
    """Read every file of a pack into one mapping of sections, with positions."""
    root = resolve(name_or_path)
    files = _pack_files(root)
    merged: dict[str, object] = {}
    locator = Locator()
    owner: dict[str, Position] = {}
    problems: list[Problem] = []
    for file in files:
        label = str(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            problems.append(Problem(Position(label, 1, 1), f"cannot read: {exc.strerror}"))
            continue
        if len(raw) > MAX_PACK_BYTES:
            problems.append(Problem(Position(label, 1, 1), "file larger than 8 MiB; not a pack"))
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - raw.rfind(b"\n", 0, exc.start)
            problems.append(
                Problem(
                    Position(label, line, column),
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                    "save the file as UTF-8",
                    code="encoding",
                )
            )
            continue
        try:
            data, file_locator = load_yaml(text, label)
        except PackError as exc:
            problems.extend(exc.problems)
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    file_locator.value(()),
                    "a pack file is a mapping of sections (metadata:, clauses:, rules:, …)",
                )
            )
            continue
        for section, value in data.items():
            here = file_locator.key((section,))
            if section in merged:
                problems.append(
                    Problem(
                        here,
                        f"section {section!r} appears again (first at {owner[section]})",
                        "keep each top-level section in one file",
                        code="duplicate",
                    )
                )
                continue
            merged[section] = value
            owner[section] = here
        locator.update(file_locator)
    if problems:
        raise PackError(problems)
    return merged, locator, root, files


def _unwrap(annotation: object) -> object:
    """Strip Optional/Annotated so we can walk into the model a pydantic error points at."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _model_at(path: PathKey) -> type[BaseModel] | None:
    """The pydantic model that the mapping at `path` is read as, if any."""
    current: object = Pack
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is list and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _schema_problem(error: typing.Mapping[str, typing.Any], locator: Locator) -> Problem:
    loc: PathKey = tuple(p for p in error["loc"] if isinstance(p, str | int))
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += f"allowed here: {', '.join(allowed)}" if allowed else ""
        return Problem(locator.key(loc), f"unknown key {key!r}", hint or None, code="unknown-key")
    if kind == "missing":
        return Problem(
            locator.value(loc[:-1]),
            f"missing required key {loc[-1]!r}",
            "see docs/policy-packs.md for what this section needs",
            code="missing-key",
        )
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return Problem(locator.value(loc), f"{where}: {message}", code="schema")


def load_pack(name_or_path: str | Path, tolerate: frozenset[str] = frozenset()) -> LoadedPack:
    """Read, schema-check and validate a pack; raise PackError listing every problem.

    `tolerate` names problem codes to report rather than refuse (coverage of a pack still being
    configured lists its unserved clauses instead of failing); nothing that compiles a snapshot
    tolerates anything.
    """
    from schoolgate.policy.validate import validate  # the validator needs LoadedPack

    raw, locator, root, files = read_raw(name_or_path)
    try:
        pack = Pack.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise PackError(_schema_problem(e, locator) for e in exc.errors()) from None
    loaded = LoadedPack(pack=pack, locator=locator, root=root, files=tuple(files))
    problems = validate(loaded)
    fatal = [p for p in problems if p.code not in tolerate]
    if fatal:
        raise PackError(fatal)
    return LoadedPack(pack, locator, root, tuple(files), tuple(problems))
