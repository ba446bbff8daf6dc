"""The networks file: which subnets are whose, so a query's source address names its group.

```yaml
networks:
  - name: ms1-students          # shown in logs; defaults to the CIDR
    cidr: 10.20.0.0/16          # or cidrs: [10.20.0.0/16, fd00:20::/48]
    school: ms1
    site: main-building
    roles: [student]
    groups: [student-network]
    failure: closed             # with no policy loaded: closed (block) or open (forward)
default:                        # clients in no listed network (optional;
  roles: [student]              # without it they are treated as students)
```

The longest matching prefix wins. A file with any mistake is refused as a whole, with every
problem named by file:line:column, so a typo never silently moves a subnet into another group.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from schoolgate.engine.events import Subject

ENTRY_KEYS: Final = frozenset(
    {"name", "cidr", "cidrs", "school", "site", "roles", "groups", "failure"}
)
DEFAULT_KEYS: Final = ENTRY_KEYS - {"cidr", "cidrs"}
FAILURE_MODES: Final = ("closed", "open")
MAX_FILE_BYTES: Final = 16 * 1024 * 1024

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class NetworksError(ValueError):
    """A networks file that cannot be used; `problems` are 'file:line:col: message' lines."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class Network:
    """One entry of the file: who is on these subnets."""

    key: int  # position in the file; -1 for the default
    name: str
    school: str | None
    site: str | None
    roles: frozenset[str]
    groups: frozenset[str]
    failure: str
    cidrs: tuple[str, ...]

    def subject(self, address: str, user: str | None) -> Subject:
        return Subject(
            user=user, roles=self.roles, groups=self.groups, school=self.school, address=address
        )


# Without a `default:` entry, a client in no listed network is treated as a student: an address
# nobody wrote down gets the strictest ordinary treatment, never the most permissive.
UNLISTED: Final = Network(
    -1, "unlisted", None, None, frozenset({"student"}), frozenset(), "closed", ()
)


class Networks:
    """Longest-prefix lookup of client addresses, with a small memo of recent clients."""

    def __init__(self, entries: list[tuple[IPNetwork, Network]], default: Network) -> None:
        self.default = default
        self.entries = tuple(network for _, network in entries)
        self._by_length: dict[int, list[tuple[int, dict[int, Network]]]] = {4: [], 6: []}
        tables: dict[tuple[int, int], dict[int, Network]] = {}
        for net, network in entries:
            tables.setdefault((net.version, net.prefixlen), {})[int(net.network_address)] = network
        for (version, length), table in sorted(tables.items(), key=lambda t: -t[0][1]):
            bits = 32 if version == 4 else 128
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            self._by_length[version].append((mask, table))
        self._memo: dict[str, Network] = {}

    def match(self, address: str) -> Network:
        found = self._memo.get(address)
        if found is not None:
            return found
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return self.default
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        value = int(ip)
        result = self.default
        for mask, table in self._by_length[ip.version]:
            hit = table.get(value & mask)
            if hit is not None:
                result = hit
                break
        if len(self._memo) >= 65_536:
            self._memo.clear()
        self._memo[address] = result
        return result

    @classmethod
    def empty(cls) -> Networks:
        return cls([], UNLISTED)


def load_networks(path: str | Path) -> Networks:
    """Read and check a networks file; raise NetworksError naming every problem's place."""
    label = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise NetworksError([f"{label}:1:1: cannot read: {exc.strerror}"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise NetworksError([f"{label}:1:1: larger than 16 MiB; not a networks file"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NetworksError([f"{label}:1:{exc.start + 1}: not UTF-8 text"]) from None
    return parse_networks(text, label)


def parse_networks(text: str, label: str = "<networks>") -> Networks:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else f"{label}:1:1"
        raise NetworksError([f"{where}: not valid YAML: {exc.problem}"]) from None
    return _Reader(label).read(root)


class _Reader:
    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[str] = []

    def at(self, node: yaml.Node) -> str:
        mark = node.start_mark
        return f"{self.label}:{mark.line + 1}:{mark.column + 1}"

    def problem(self, node: yaml.Node, message: str) -> None:
        self.problems.append(f"{self.at(node)}: {message}")

    def read(self, root: yaml.Node | None) -> Networks:
        if root is None:
            raise NetworksError([f"{self.label}:1:1: empty file; expected 'networks:'"])
        if not isinstance(root, yaml.MappingNode):
            raise NetworksError([f"{self.at(root)}: expected a mapping with 'networks:'"])
        entries: list[tuple[IPNetwork, Network]] = []
        default = UNLISTED
        seen: dict[IPNetwork, str] = {}
        found_networks = False
        for key_node, value in root.value:
            key = key_node.value
            if key == "networks":
                found_networks = True
                entries = self._entries(value, seen)
            elif key == "default":
                default = self._network(value, -1, default=True)[1]
            else:
                self.problem(key_node, f"unknown key {key!r}; expected 'networks' or 'default'")
        if not found_networks:
            self.problem(root, "missing 'networks:'")
        if self.problems:
            raise NetworksError(self.problems)
        return Networks(entries, default)

    def _entries(
        self, node: yaml.Node, seen: dict[IPNetwork, str]
    ) -> list[tuple[IPNetwork, Network]]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "'networks' must be a list of entries")
            return []
        out = []
        for index, item in enumerate(node.value):
            nets, network = self._network(item, index, default=False)
            for net, net_node in nets:
                if net in seen:
                    self.problem(net_node, f"{net} is already listed at {seen[net]}")
                    continue
                seen[net] = self.at(net_node)
                out.append((net, network))
        return out

    def _network(
        self, node: yaml.Node, index: int, *, default: bool
    ) -> tuple[list[tuple[IPNetwork, yaml.Node]], Network]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "an entry must be a mapping (cidr:, roles:, …)")
            return [], UNLISTED
        allowed = DEFAULT_KEYS if default else ENTRY_KEYS
        fields: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = key_node.value
            if key not in allowed:
                hint = "; 'default' has no cidr" if key in ("cidr", "cidrs") else ""
                self.problem(
                    key_node, f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}{hint}"
                )
            elif key in fields:
                self.problem(key_node, f"{key!r} given twice")
            else:
                fields[key] = value
        nets: list[tuple[IPNetwork, yaml.Node]] = []
        cidr_nodes: list[yaml.Node] = []
        if "cidr" in fields:
            cidr_nodes.append(fields["cidr"])
        if "cidrs" in fields:
            cidr_nodes.extend(self._list(fields["cidrs"], "cidrs"))
        if not default and not cidr_nodes:
            self.problem(node, "entry has no 'cidr' (or 'cidrs')")
        for cidr_node in cidr_nodes:
            net = self._cidr(cidr_node)
            if net is not None:
                nets.append((net, cidr_node))
        failure = self._scalar(fields.get("failure")) or "closed"
        if failure not in FAILURE_MODES:
            self.problem(fields["failure"], f"failure must be 'closed' or 'open', not {failure!r}")
        cidrs = tuple(str(n) for n, _ in nets)
        name = self._scalar(fields.get("name")) or (", ".join(cidrs) if cidrs else "default")
        network = Network(
            key=index,
            name=name,
            school=self._scalar(fields.get("school")),
            site=self._scalar(fields.get("site")),
            roles=frozenset(self._strings(fields.get("roles"), "roles")),
            groups=frozenset(self._strings(fields.get("groups"), "groups")),
            failure=failure,
            cidrs=cidrs,
        )
        return nets, network

    def _cidr(self, node: yaml.Node) -> IPNetwork | None:
        text = self._scalar(node)
        if text is None:
            return None
        try:
            return ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            hint = ""
            try:
                ipaddress.ip_network(text, strict=False)
                hint = " (host bits set: use the network address)"
            except ValueError:
                pass
            self.problem(node, f"not a CIDR: {exc}{hint}")
            return None

    def _scalar(self, node: yaml.Node | None) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            self.problem(node, "expected a single value")
            return None
        return str(node.value)

    def _list(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{key!r} must be a list")
            return []
        return list(node.value)

    def _strings(self, node: yaml.Node | None, key: str) -> list[str]:
        if node is None:
            return []
        out = []
        for item in self._list(node, key):
            value = self._scalar(item)
            if value is not None:
                out.append(value)
        return out
