"""DHCP lease files: ISC and Kea parsed, errors named by line, devices mapped to people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schoolgate.control.networks.leases import LeaseError, active, parse_isc, parse_kea, read_leases
from schoolgate.control.networks.models import AddressAssignment
from schoolgate.control.networks.services import (
    address_map,
    assign_address,
    import_leases,
    register_device,
    release_address,
)

from .conftest import LEASES, person

NOW = dt.datetime(2030, 10, 7, 13, tzinfo=dt.UTC)


def test_isc_later_blocks_win_and_states_are_kept() -> None:
    leases = {
        lease.address: lease
        for lease in parse_isc("dhcpd.leases", (LEASES / "dhcpd.leases").read_bytes())
    }
    assert set(leases) == {"10.20.0.17", "10.20.0.18", "10.20.0.19"}
    maya = leases["10.20.0.17"]
    assert maya.mac == "00:1a:2b:3c:4d:5e" and maya.hostname == "maya-chromebook"
    assert maya.ends == dt.datetime.fromtimestamp(1917720000, dt.UTC)  # the later block, epoch time
    assert leases["10.20.0.19"].state == "free"
    assert {lease.address for lease in active(list(leases.values()), NOW)} == {
        "10.20.0.17",
        "10.20.0.18",
    }


def test_kea_last_line_wins_and_states_map() -> None:
    leases = {
        lease.address: lease
        for lease in parse_kea("leases4.csv", (LEASES / "leases4.csv").read_bytes())
    }
    assert leases["10.30.0.5"].hostname == "maya-chromebook"
    assert leases["10.30.0.6"].state == "expired" and leases["10.30.0.7"].state == "declined"
    assert [lease.address for lease in active(list(leases.values()), NOW)] == ["10.30.0.5"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad-time.leases", "bad-time.leases:3: '1 2030/13/07 20:00:00' is not a lease time"),
        ("unclosed.leases", "unclosed.leases:1: lease 10.20.0.17 is not closed with }"),
        ("bad-mac.leases", "bad-mac.leases:3: '00:1a:2b:3c:4d' is not a MAC address"),
        ("bad-header.csv", "bad-header.csv:1: header is not Kea's leases4.csv header"),
        ("bad-address.csv", "bad-address.csv:3: address: '10.30.0.999' is not an address"),
    ],
)
def test_bad_lease_files(name: str, message: str) -> None:
    with pytest.raises(LeaseError) as caught:
        read_leases(LEASES / "bad" / name)
    assert str(caught.value.problems[0]).startswith(message)


@pytest.mark.usefixtures("district")
def test_import_maps_registered_devices_and_keeps_the_rest_for_alerts() -> None:
    student = person("student")
    register_device("00:1A:2B:3C:4D:5E", student, description="Chromebook")
    result = import_leases(LEASES / "dhcpd.leases", now=NOW)
    assert (result.kind, result.active, result.matched, result.unknown_devices) == ("isc", 2, 1, 1)
    assert address_map(NOW) == {"10.20.0.17": student.sourced_id}
    unknown = AddressAssignment.objects.get(address="10.20.0.18")
    assert unknown.person is None and unknown.mac == "00:1a:2b:3c:4d:5f"
    assert address_map(dt.datetime(2031, 1, 1, tzinfo=dt.UTC)) == {}  # leases expire


@pytest.mark.usefixtures("district")
def test_a_bad_lease_file_changes_nothing() -> None:
    student = person("student")
    assign_address("10.20.0.17", student, now=NOW)
    with pytest.raises(LeaseError):
        import_leases(LEASES / "bad" / "bad-time.leases", now=NOW)
    assert address_map(NOW) == {"10.20.0.17": student.sourced_id}


@pytest.mark.usefixtures("district")
def test_api_assignment_expires_and_releases() -> None:
    teacher = person("teacher")
    assign_address("2001:db8::0017", teacher, expires_at=NOW + dt.timedelta(hours=1), now=NOW)
    assert address_map(NOW) == {"2001:db8::17": teacher.sourced_id}
    assert release_address("2001:db8::17", now=NOW + dt.timedelta(minutes=5))
    assert address_map(NOW + dt.timedelta(minutes=6)) == {}


def test_read_leases_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LeaseError, match="cannot be read"):
        read_leases(tmp_path / "nope.leases")


@pytest.mark.usefixtures("district")
def test_subnets_and_static_addresses_reach_the_snapshot_records() -> None:
    from schoolgate.control.networks.models import Site, StaticAddress
    from schoolgate.control.networks.services import add_subnet, network_records
    from schoolgate.control.people.models import Org

    school = Org.objects.filter(type="school").order_by("sourced_id").first()
    site = Site.objects.create(name="main-building", school=school)
    add_subnet(
        "10.20.0.0/16",
        name="ms-students",
        school=school,
        site=site,
        roles=["student"],
        groups=["student-network"],
        failure="closed",
    )
    with pytest.raises(ValueError, match="has host bits set"):
        add_subnet("10.20.0.1/16")
    teacher = person("teacher")
    StaticAddress.objects.create(address="10.9.0.5", person=teacher, description="desktop")
    assert network_records()["10.20.0.0/16"] == {
        "name": "ms-students",
        "school": school.sourced_id,
        "site": "main-building",  # type: ignore[union-attr]
        "roles": ["student"],
        "groups": ["student-network"],
        "failure": "closed",
    }
    assert address_map(NOW)["10.9.0.5"] == teacher.sourced_id
