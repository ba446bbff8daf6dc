# mypy: warn-return-any=False
# (Django ships no type information: querysets return Any to mypy.)
"""Live address → person: assignments from leases and sign-ins, and what snapshots carry."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from schoolgate.control.networks.leases import MAC, active, normal_mac, read_leases
from schoolgate.control.networks.models import AddressAssignment, Device, StaticAddress, Subnet
from schoolgate.control.people.models import Person
from schoolgate.control.publication.services import mark_changed

DEFAULT_TTL = dt.timedelta(hours=8)


def assign_address(
    address: str,
    person: Person | None,
    *,
    expires_at: dt.datetime | None = None,
    source: str = "api",
    mac: str = "",
    hostname: str = "",
    now: dt.datetime | None = None,
) -> AddressAssignment:
    """Record that `person` is behind `address` until `expires_at` (default: 8 hours).

    The authenticated API of the console (#6) calls this after a sign-in; lease imports too.
    """
    now = now or timezone.now()
    normal = str(ipaddress.ip_address(address))
    with transaction.atomic():
        assignment, _ = AddressAssignment.objects.update_or_create(
            address=normal,
            defaults={
                "person": person,
                "mac": mac,
                "hostname": hostname[:255],
                "source": source,
                "starts_at": now,
                "expires_at": expires_at or now + DEFAULT_TTL,
            },
        )
        mark_changed("address assignment")
    return assignment


def release_address(address: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        changed = AddressAssignment.objects.filter(
            address=str(ipaddress.ip_address(address)), expires_at__gt=now
        ).update(expires_at=now)
        if changed:
            mark_changed("address released")
    return bool(changed)


@dataclass
class LeaseImport:
    kind: str
    leases: int
    active: int
    matched: int
    unknown_devices: int
    released: int


def import_leases(path: Path, kind: str = "auto", now: dt.datetime | None = None) -> LeaseImport:
    """Read a lease file (all or nothing) and map each active lease's device to its owner."""
    now = now or timezone.now()
    kind, leases = read_leases(path, kind)
    current = active(leases, now)
    owners = dict(
        Device.objects.filter(mac__in={lease.mac for lease in current if lease.mac}).values_list(
            "mac", "person_id"
        )
    )
    live = {lease.address for lease in current}
    gone = [lease.address for lease in leases if lease.address not in live]
    matched = 0
    with transaction.atomic():
        existing = {a.address: a for a in AddressAssignment.objects.filter(address__in=live)}
        create: list[AddressAssignment] = []
        update: list[AddressAssignment] = []
        for lease in current:
            person_id = owners.get(lease.mac)
            matched += person_id is not None
            row = existing.get(lease.address) or AddressAssignment(address=lease.address)
            row.person_id = person_id
            row.mac, row.hostname, row.source = lease.mac, lease.hostname[:255], kind
            row.starts_at, row.expires_at = lease.starts, lease.ends
            (update if row.pk else create).append(row)
        AddressAssignment.objects.bulk_create(create, batch_size=1000)
        AddressAssignment.objects.bulk_update(
            update,
            ["person", "mac", "hostname", "source", "starts_at", "expires_at"],
            batch_size=500,
        )
        released = AddressAssignment.objects.filter(
            address__in=gone, source=kind, expires_at__gt=now
        ).update(expires_at=now)
        mark_changed("lease import")
    return LeaseImport(kind, len(leases), len(current), matched, len(current) - matched, released)


def address_map(now: dt.datetime | None = None) -> dict[str, str]:
    """address → person id (sourced_id) for snapshots: static addresses, then live ones."""
    now = now or timezone.now()
    out = dict(
        StaticAddress.objects.filter(person__isnull=False, person__active=True).values_list(
            "address", "person__sourced_id"
        )
    )
    out.update(
        AddressAssignment.objects.filter(
            person__isnull=False, person__active=True, expires_at__gt=now
        ).values_list("address", "person__sourced_id")
    )
    return dict(sorted(out.items()))


def network_records() -> dict[str, dict[str, Any]]:
    """CIDR → who is on it, in the networks-file shape the DNS filter reads."""
    out: dict[str, dict[str, Any]] = {}
    for subnet in Subnet.objects.select_related("school", "site").order_by("cidr"):
        out[subnet.cidr] = {
            "name": subnet.name or subnet.cidr,
            "school": subnet.school.sourced_id if subnet.school else None,
            "site": subnet.site.name if subnet.site else None,
            "roles": sorted(subnet.roles),
            "groups": sorted(subnet.groups),
            "failure": subnet.failure,
        }
    return out


def add_subnet(cidr: str, **fields: Any) -> Subnet:
    network = ipaddress.ip_network(cidr, strict=True)
    with transaction.atomic():
        subnet, _ = Subnet.objects.update_or_create(cidr=str(network), defaults=fields)
        mark_changed("subnet")
    return subnet


def register_device(mac: str, person: Person | None, **fields: Any) -> Device:
    if not MAC.match(mac):
        raise ValueError(f"{mac!r} is not a MAC address")
    device, _ = Device.objects.update_or_create(
        mac=normal_mac(mac), defaults={"person": person, **fields}
    )
    return device
