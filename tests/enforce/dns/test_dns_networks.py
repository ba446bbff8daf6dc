"""The networks file: longest prefix wins, every mistake named by file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from schoolgate.enforce.dns.networks import NetworksError, load_networks, parse_networks

GOOD = """\
networks:
  - name: district
    cidr: 10.0.0.0/8
    roles: [staff]
    failure: open
  - name: ms1-students
    cidrs: [10.20.0.0/16, "fd00:20::/48"]
    school: ms1
    site: main
    roles: [student]
    groups: [student-network]
  - name: ms1-lab-teacher
    cidr: 10.20.5.7/32
    roles: [teacher]
default:
  roles: [guest]
"""


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("10.1.2.3", "district"),
        ("10.20.9.9", "ms1-students"),
        ("10.20.5.7", "ms1-lab-teacher"),
        ("fd00:20::1", "ms1-students"),
        ("::ffff:10.20.1.1", "ms1-students"),
        ("192.168.1.1", "default"),
        ("not-an-address", "default"),
    ],
)
def test_longest_prefix_wins(address: str, name: str) -> None:
    assert parse_networks(GOOD).match(address).name == name


def test_entries_carry_the_subject_facts() -> None:
    network = parse_networks(GOOD).match("10.20.1.1")
    subject = network.subject("10.20.1.1", "s1001")
    assert subject.roles == {"student"} and subject.groups == {"student-network"}
    assert subject.school == "ms1" and subject.user == "s1001" and network.failure == "closed"


def test_without_a_default_unlisted_clients_are_students() -> None:
    networks = parse_networks("networks:\n  - {cidr: 10.0.0.0/8, roles: [staff]}\n")
    assert networks.match("192.0.2.1").roles == {"student"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("networks:\n  - cidr: 10.0.0.300/8\n", "x.yaml:2:11: not a CIDR"),
        ("networks:\n  - cidr: 10.0.0.1/8\n", "x.yaml:2:11: not a CIDR: 10.0.0.1/8 has host bits set (host bits set: use the network address)"),
        ("networks:\n  - roles: [student]\n", "x.yaml:2:5: entry has no 'cidr'"),
        ("networks:\n  - cidr: 10.0.0.0/8\n    role: [student]\n", "x.yaml:3:5: unknown key 'role'"),
        ("networks:\n  - cidr: 10.0.0.0/8\n    failure: maybe\n", "x.yaml:3:14: failure must be"),
        ("networks:\n  - {cidr: 10.0.0.0/8}\n  - {cidr: 10.0.0.0/8}\n", "x.yaml:3:12: 10.0.0.0/8 is already listed at x.yaml:2:12"),
        ("networks:\n  - cidr: 10.0.0.0/8\n    roles: student\n", "x.yaml:3:12: 'roles' must be a list"),
        ("subnets: []\n", "x.yaml:1:1: unknown key 'subnets'"),
        ("networks: [\n", "x.yaml:2:1: not valid YAML"),
        ("", "x.yaml:1:1: empty file"),
    ],
)  # fmt: skip
def test_mistakes_are_named_by_place(text: str, problem: str) -> None:
    with pytest.raises(NetworksError) as caught:
        parse_networks(text, "x.yaml")
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    path.write_text("networks:\n  - cidr: nope\n  - cidr: 10.0.0.0/8\n    colour: red\n")
    with pytest.raises(NetworksError) as caught:
        load_networks(path)
    assert len(caught.value.problems) == 2


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(NetworksError, match=r"missing\.yaml:1:1: cannot read"):
        load_networks(tmp_path / "missing.yaml")
