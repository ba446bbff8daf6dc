# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""The demo district's networks: a students' and a staff subnet per school, registered devices
with a DHCP lease file read by the real lease importer, and this computer's loopback addresses
given to the demo sign-ins — so `dig -b 127.0.0.1 …` asks as the demo student and a suspension
made in the console shows up in the next query from the same terminal.

Built with the district's first import. The lease file goes through `import_leases` like a
district's own; the loopback addresses are static addresses, as a lab desktop's would be.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The demo sign-ins in the order they get 127.0.0.1, .2, …: the student first, so a plain
# `dig @127.0.0.1 -p 5300 …` asks as a student.
LOOPBACK_ORDER = ("student", "teacher", "principal", "guardian", "hr", "technology-manager",
                  "administrator")  # fmt: skip
LOOPBACK = "127.0.0.0/8"
DEVICES_PER_SCHOOL = 60


@dataclass(frozen=True)
class DemoNetworks:
    subnets: int
    leases: int
    matched: int
    loopback: dict[str, str]  # role → address

    def summary(self) -> str:
        return (
            f"demo networks: {self.subnets} subnets, {self.leases} DHCP leases imported "
            f"({self.matched} matched to a registered device)"
        )


def subnet_plan(schools: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Two subnets per school (students 10.N.0.0/17, staff 10.N.128.0/17) and this computer.

    The staff subnet names no roles: a staff member's roles come from the records, so a
    teacher's laptop is never treated as a student's. Unknown clients on a students' subnet are.
    """
    plan: list[dict[str, Any]] = []
    for index, (sourced_id, name) in enumerate(schools):
        base = 20 + index
        plan.append(
            {"cidr": f"10.{base}.0.0/17", "name": f"{sourced_id}-students", "school": sourced_id,
             "site": name, "roles": ["student"]}
        )  # fmt: skip
        plan.append(
            {"cidr": f"10.{base}.128.0/17", "name": f"{sourced_id}-staff", "school": sourced_id,
             "site": name, "roles": []}
        )  # fmt: skip
    plan.append(
        {"cidr": LOOPBACK, "name": "this-computer", "school": None, "site": None, "roles": []}
    )
    return plan


def lease_file(leases: list[tuple[str, str, str]], now: dt.datetime) -> str:
    """ISC dhcpd.leases text for (address, mac, hostname), each active for the school day."""
    starts = now.astimezone(dt.UTC) - dt.timedelta(hours=1)
    ends = starts + dt.timedelta(hours=12)

    def stamp(moment: dt.datetime) -> str:
        return f"{(moment.weekday() + 1) % 7} {moment:%Y/%m/%d %H:%M:%S}"

    out = ["# Written by schoolgate's demo: the format of dhcpd.leases(5).", ""]
    for address, mac, hostname in leases:
        out += [
            f"lease {address} {{",
            f"  starts {stamp(starts)};",
            f"  ends {stamp(ends)};",
            "  binding state active;",
            f"  hardware ethernet {mac};",
            f'  client-hostname "{hostname}";',
            "}",
        ]
    return "\n".join(out) + "\n"


def networks_file(records: dict[str, dict[str, Any]]) -> str:
    """The resolver's networks file (enforce/dns/networks.py) from the control plane's subnets;
    clients on no listed subnet are students, the strict side."""
    entries = []
    for cidr, record in sorted(records.items()):
        entry: dict[str, Any] = {"name": record["name"], "cidr": cidr}
        for key in ("school", "site"):
            if record.get(key):
                entry[key] = record[key]
        entry["roles"] = list(record["roles"])
        if record.get("groups"):
            entry["groups"] = list(record["groups"])
        entry["failure"] = record.get("failure") or "closed"
        entries.append(entry)
    document = {"networks": entries, "default": {"roles": ["student"]}}
    return yaml.safe_dump(document, sort_keys=False)


def build_networks(data_dir: Path, now: dt.datetime | None = None) -> DemoNetworks:
    """Subnets, devices, a lease file through the real importer, and the loopback sign-ins."""
    from django.utils import timezone

    from schoolgate.control.console.demo import demo_people
    from schoolgate.control.networks.models import Site, StaticAddress
    from schoolgate.control.networks.services import add_subnet, import_leases, register_device
    from schoolgate.control.people.models import Org, Person
    from schoolgate.control.publication.services import mark_changed

    now = now or timezone.now()
    schools = list(Org.objects.filter(type="school").order_by("sourced_id"))
    by_id = {s.sourced_id: s for s in schools}
    for entry in subnet_plan([(s.sourced_id, s.name) for s in schools]):
        school = by_id.get(entry["school"]) if entry["school"] else None
        site = None
        if entry["site"]:
            site = Site.objects.get_or_create(name=entry["site"], defaults={"school": school})[0]
        add_subnet(
            entry["cidr"], name=entry["name"], school=school, site=site, roles=entry["roles"]
        )
    leases: list[tuple[str, str, str]] = []
    serial = 0
    for index, school in enumerate(schools):
        people = Person.objects.filter(active=True, primary_org=school).order_by("sourced_id")
        students = list(people.filter(role="student")[:DEVICES_PER_SCHOOL])
        staff = list(people.exclude(role__in=["student", "guardian", "parent"])[:10])
        for offset, (person, half) in enumerate(
            [(p, 0) for p in students] + [(p, 128) for p in staff]
        ):
            serial += 1
            mac = "02:5c:00:" + ":".join(f"{b:02x}" for b in serial.to_bytes(3, "big"))
            register_device(mac, person, description="demo device")
            address = str(ipaddress.ip_address(f"10.{20 + index}.{half}.0") + 10 + offset)
            leases.append((address, mac, f"{person.sourced_id}-device"))
    # One device nobody registered, as every real lease file has.
    leases.append(("10.20.0.250", "02:5c:ff:00:00:01", "unknown-phone"))
    path = data_dir / "demo-dhcpd.leases"
    path.write_text(lease_file(leases, now), encoding="utf-8")
    imported = import_leases(path, "isc", now)
    loopback: dict[str, str] = {}
    people_by_role = demo_people()
    for number, role in enumerate(LOOPBACK_ORDER, start=1):
        person = people_by_role.get(role)
        if person is None:
            continue
        address = f"127.0.0.{number}"
        StaticAddress.objects.update_or_create(
            address=address,
            defaults={"person": person, "description": f"this computer, as the demo {role}"},
        )
        loopback[role] = address
    mark_changed("demo loopback addresses")
    return DemoNetworks(
        subnets=2 * len(schools) + 1,
        leases=imported.active,
        matched=imported.matched,
        loopback=loopback,
    )


def loopback_addresses() -> dict[str, str]:
    """role → the loopback address the demo gave that role's sign-in (empty before setup)."""
    from schoolgate.control.console.demo import demo_people
    from schoolgate.control.networks.models import StaticAddress

    by_person = dict(
        StaticAddress.objects.filter(address__startswith="127.").values_list("person_id", "address")
    )
    return {
        role: by_person[person.pk]
        for role, person in demo_people().items()
        if person.pk in by_person
    }


def write_networks_file(path: Path) -> Path:
    """The resolver's networks file from the subnets on record (rewritten at every start)."""
    from schoolgate.control.networks.services import network_records

    path.write_text(networks_file(network_records()), encoding="utf-8")
    return path
