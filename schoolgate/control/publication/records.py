"""The `records` part of a snapshot, built from every app with a handful of bulk queries.

Shape (see schoolgate/engine/snapshot.py): `users` by person id (the OneRoster sourced_id) with
roles, groups, grade, acknowledged, consents and sanctions; `addresses` (address → person id);
`networks` (CIDR → school, site, roles, groups, failure), which the engine ignores and the
DNS filter can use in place of a networks file; and `exceptions` (site exceptions approved from
review requests: domain, the person ids covered, start and end, who approved).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from schoolgate.control.agreements.services import acknowledgment_status, current_pack
from schoolgate.control.conduct.services import sanctions_for_snapshot
from schoolgate.control.consents.services import granted_consents
from schoolgate.control.networks.services import address_map, network_records
from schoolgate.control.people.models import Person
from schoolgate.control.people.services import effective_roles, org_groups
from schoolgate.control.reviews.services import exceptions_for_snapshot


def records(now: dt.datetime, pack_name: str) -> dict[str, Any]:
    pack = current_pack(pack_name).pack
    today = now.date()
    roles = effective_roles(today)
    groups = org_groups()
    acknowledged = acknowledgment_status(pack, now)
    consents = granted_consents(now)
    sanctions = sanctions_for_snapshot(now)
    users: dict[str, dict[str, Any]] = {}
    people = Person.objects.filter(active=True).values_list("pk", "sourced_id", "role", "grade")
    for pk, sid, role, grade in people.iterator(chunk_size=10000):
        user: dict[str, Any] = {
            "roles": sorted(roles.get(pk, set()) | ({role} if role else set())),
            "groups": sorted(groups.get(pk, ())),
        }
        if grade:
            user["grade"] = grade
        if pk in acknowledged:
            user["acknowledged"] = acknowledged[pk]
        if role == "student":
            user["consents"] = sorted(consents.get(pk, ()))
        if pk in sanctions:
            user["sanctions"] = sanctions[pk]
        users[sid] = user
    return {
        "users": users,
        "addresses": address_map(now),
        "networks": network_records(),
        "exceptions": exceptions_for_snapshot(now, zoneinfo.ZoneInfo(pack.metadata.timezone)),
    }
