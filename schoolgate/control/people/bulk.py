"""Writing many roster rows fast and only when they changed.

The ORM's per-value work costs more than the database at 100,000 rows, so rows go in through
PostgreSQL `COPY` (text format) or SQLite `executemany`, with values adapted once per column.
Each row carries a fingerprint of its values (`row_hash`): a re-import compares fingerprints and
writes only what changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from schoolgate.control.people.oneroster import records as rec

BATCH = 2000
Progress = Callable[[str, int], None]  # (what is being written, rows just done)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
        }


def sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime: naive UTC, ISO with a space."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.date):  # datetimes too: ISO 8601 with offset
        return value.isoformat()
    return str(value)


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


def _copy_str(value: str | None) -> str:
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE(value) else value


def _copy_bool(value: bool | None) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _copy_int(value: int | None) -> str:
    return "\\N" if value is None else str(value)


@lru_cache(maxsize=4096)
def _copy_iso(value: dt.date | None) -> str:
    """Dates repeat (every row's dateLastModified): render each once."""
    return "\\N" if value is None else value.isoformat()


def _constant(text: str) -> Callable[[Any], str]:
    return lambda _value: text


_COPY_CONVERTERS: dict[str, Callable[[Any], str]] = {
    "CharField": _copy_str,
    "TextField": _copy_str,
    "GenericIPAddressField": _copy_str,
    "BooleanField": _copy_bool,
    "BigAutoField": _copy_int,
    "BigIntegerField": _copy_int,
    "IntegerField": _copy_int,
    "PositiveIntegerField": _copy_int,
    "PositiveBigIntegerField": _copy_int,
    "PositiveSmallIntegerField": _copy_int,
    "ForeignKey": _copy_int,
    "DateField": _copy_iso,
    "DateTimeField": _copy_iso,
}


def digest(values: Mapping[str, Any]) -> str:
    """A row's fingerprint: a re-import writes only rows whose fingerprint changed."""
    text = "\x1f".join("\x00" if v is None else str(v) for v in values.values())
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Table:
    """Raw multi-row writes for one model: the ORM's per-value work costs more than the
    database at this volume. COPY on PostgreSQL, executemany on SQLite; values adapted once."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.stamp = {f.attname for f in self.fields if getattr(f, "auto_now", False)}
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.postgres = connection.vendor == "postgresql"

    def _adapter(
        self, attnames: list[str], now: dt.datetime
    ) -> Callable[[dict[str, Any]], list[Any]]:
        """A function dict → row for these columns, adapting only date and time columns."""
        defaults = [self.defaults[a] for a in attnames]
        stamp = now if self.postgres else sqlite_datetime(now)
        stamped = [i for i, a in enumerate(attnames) if a in self.stamp]
        kinds = {f.attname: f.get_internal_type() for f in self.fields}
        times = [
            i for i, a in enumerate(attnames) if kinds[a] == "DateTimeField" and a not in self.stamp
        ]
        dates = [i for i, a in enumerate(attnames) if kinds[a] == "DateField"]
        pairs = list(zip(attnames, defaults, strict=True))
        postgres = self.postgres

        def row(values: dict[str, Any]) -> list[Any]:
            out = [values.get(a, d) for a, d in pairs]
            for i in stamped:
                out[i] = stamp
            if not postgres:
                for i in times:
                    if out[i] is not None:
                        out[i] = sqlite_datetime(out[i])
                for i in dates:
                    if out[i] is not None:
                        out[i] = out[i].isoformat()
            return out

        return row

    def _copy_line(self, attnames: list[str], now: dt.datetime) -> Callable[[dict[str, Any]], str]:
        """A function dict → one line of COPY text, with a converter chosen per column."""
        kinds = {f.attname: f.get_internal_type() for f in self.fields}
        stamp = now.isoformat()
        columns: list[tuple[str, Any, Callable[[Any], str]]] = []
        for name in attnames:
            if name in self.stamp:
                columns.append((name, None, _constant(stamp)))
            else:
                convert = _COPY_CONVERTERS.get(kinds[name], _copy_text)
                columns.append((name, self.defaults[name], convert))

        def line(values: dict[str, Any]) -> str:
            return "\t".join([convert(values.get(n, d)) for n, d, convert in columns])

        return line

    def insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        attnames = [f.attname for f in self.fields]
        make = self._adapter(attnames, timezone.now())
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if self.postgres:
                line = self._copy_line(attnames, timezone.now())
                raw = cursor.cursor
                with raw.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for start in range(0, len(rows), BATCH * 5):
                        lines = [line(values) for values in rows[start : start + BATCH * 5]]
                        copy.write(("\n".join(lines) + "\n").encode())
            else:
                marks = ", ".join(["%s"] * len(attnames))
                # Table and column names come from the model, quoted; values are bound.
                sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608
                for start in range(0, len(rows), BATCH * 5):
                    cursor.executemany(sql, [make(v) for v in rows[start : start + BATCH * 5]])

    def update(self, rows: list[tuple[int, dict[str, Any]]], attnames: list[str]) -> None:
        if not rows:
            return
        names = [*attnames, *sorted(self.stamp)]
        make = self._adapter(names, timezone.now())
        by_attname = {f.attname: f.column for f in self.fields}
        sets = ", ".join(f"{connection.ops.quote_name(by_attname[a])} = %s" for a in names)
        sql = f"UPDATE {self.table} SET {sets} WHERE id = %s"  # noqa: S608 - names from the model
        with connection.cursor() as cursor:
            cursor.executemany(sql, [[*make(v), pk] for pk, v in rows])


class Writer:
    """Upserts one file's records into one model, by sourced_id, writing only changed rows."""

    def __init__(self, model: type[models.Model], progress: Progress, label: str) -> None:
        self.model = model
        self.progress = progress
        self.label = label
        self.manager: Any = model._default_manager

    def apply(
        self,
        records: list[rec.Record],
        mode: str,
        values: Callable[[Any], dict[str, Any]],
        fields: list[str],
        scope: Q,
        track: bool = False,
    ) -> tuple[Counts, list[int]]:
        """Returns the counts and the pks of rows created or updated (for follow-up work)."""
        counts = Counts()
        table = Table(self.model)
        has_modified = "modified" in table.defaults
        existing: dict[str, tuple[int, str, bool]] = {
            sid: (pk, digest, active)
            for sid, pk, digest, active in self.manager.filter(scope)
            .values_list("sourced_id", "pk", "row_hash", "active")
            .iterator(chunk_size=20000)
        }
        create: list[dict[str, Any]] = []
        update: list[tuple[int, dict[str, Any]]] = []
        deactivate: list[int] = []
        seen: set[str] = set()
        private: list[str] | None = None
        for record in records:
            seen.add(record.sourced_id)
            found = existing.get(record.sourced_id)
            if record.deleted:
                if found and found[2]:
                    deactivate.append(found[0])
                continue
            kwargs = values(record)
            fingerprint = digest(kwargs)
            if found is not None and found[1] == fingerprint and found[2]:
                counts.unchanged += 1
                continue
            if private is None:
                private = [k for k in kwargs if k.startswith("_")]
            for key in private:
                del kwargs[key]  # hashed, but not a column
            kwargs["sourced_id"], kwargs["row_hash"], kwargs["active"] = (
                record.sourced_id,
                fingerprint,
                True,
            )
            if has_modified:
                kwargs["modified"] = record.modified
            if found is None:
                create.append(kwargs)
            else:
                update.append((found[0], kwargs))
        if mode == "bulk":
            deactivate += [
                pk for sid, (pk, _, active) in existing.items() if active and sid not in seen
            ]
        for start in range(0, len(create), BATCH * 10):
            chunk = create[start : start + BATCH * 10]
            table.insert(chunk)
            self.progress(self.label, len(chunk))
        extra = ["row_hash", "active", *(["modified"] if has_modified else [])]
        for start in range(0, len(update), BATCH):
            changed = update[start : start + BATCH]
            table.update(changed, [*fields, *extra])
            self.progress(self.label, len(changed))
        for start in range(0, len(deactivate), BATCH):
            self.manager.filter(pk__in=deactivate[start : start + BATCH]).update(active=False)
        self.progress(self.label, counts.unchanged)
        counts.created, counts.updated, counts.deactivated = (
            len(create),
            len(update),
            len(deactivate),
        )
        touched = [pk for pk, _ in update]
        if create and track:
            created_ids = {row["sourced_id"] for row in create}
            touched += [
                pk for sid, pk in self.manager.values_list("sourced_id", "pk") if sid in created_ids
            ]
        return counts, touched


def ids_by_sourced_id(model: type[models.Model]) -> dict[str, int]:
    manager: Any = model._default_manager
    return dict(manager.values_list("sourced_id", "pk"))
