"""YAML into plain data, remembering where every key and value stood.

PyYAML's composer gives each node a start mark; we keep them in a table keyed by the path to the
value (``("rules", 3, "when", "categories")``), so any later check — the schema's or the
validator's — can point a district at the exact line and column. Duplicate mapping keys, which
PyYAML would silently overwrite, are errors here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from schoolgate.policy.problems import PackError, Position, Problem

PathKey = tuple[str | int, ...]

# A pack is a few thousand nodes; a document with millions is an alias bomb or not a pack.
MAX_NODES = 500_000

try:  # the C composer is an order of magnitude faster on large packs
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Locator:
    """Where each value (and each mapping key) of a loaded document stood in its file."""

    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def value(self, path: PathKey) -> Position:
        """The position of the value at `path`, or of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return Position("<unknown>", 1, 1)

    def key(self, path: PathKey) -> Position:
        return self.keys.get(path) or self.value(path)

    def update(self, other: Locator) -> None:
        self.values.update(other.values)
        self.keys.update(other.keys)


def _position(file: str, node: Node) -> Position:
    mark = node.start_mark
    return Position(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.locator = Locator()
        self.constructor = SafeConstructor()
        self.count = 0
        self.problems: list[Problem] = []

    def build(self, node: Node, path: PathKey) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise PackError(
                [Problem(_position(self.file, node), "document too large (alias expansion?)")]
            )
        self.locator.values[path] = _position(self.file, node)
        if isinstance(node, MappingNode):
            out: dict[str, object] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.problems.append(
                        Problem(_position(self.file, key_node), "mapping keys must be plain text")
                    )
                    continue
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(
                        Problem(
                            _position(self.file, key_node),
                            "YAML merge keys (<<) are not supported in packs",
                            "write the keys out; packs are read by people",
                        )
                    )
                    continue
                key = str(key_node.value)
                if key in out:
                    self.problems.append(
                        Problem(
                            _position(self.file, key_node),
                            f"duplicate key {key!r}",
                            "a later duplicate would silently replace the earlier one; keep one",
                            code="duplicate",
                        )
                    )
                    continue
                self.locator.keys[(*path, key)] = _position(self.file, key_node)
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self.constructor.construct_object(node, deep=True)


def load_yaml(text: str, file: str) -> tuple[object, Locator]:
    """Parse one YAML document; raises PackError naming file:line:column."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file, 1, 1)
        raise PackError(
            [Problem(position, f"not valid YAML: {exc.problem or exc.context}", code="yaml")]
        ) from None
    except yaml.YAMLError as exc:
        raise PackError(
            [Problem(Position(file, 1, 1), f"not valid YAML: {exc}", code="yaml")]
        ) from None
    if node is None:
        return None, Locator()
    builder = _Builder(file)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        position = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file, 1, 1)
        raise PackError(
            [Problem(position, f"cannot read value: {exc.problem}", code="yaml")]
        ) from None
    if builder.problems:
        raise PackError(builder.problems)
    return data, builder.locator
