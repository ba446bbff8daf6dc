"""Settings parsed from the environment by small functions, each testable on its own.

Modelled on paperless-ngx: SQLite in the data directory by default (WAL, immediate
transactions, so writers queue instead of failing with "database is locked"), PostgreSQL when
`DATABASE_URL` names one. Nothing here touches the disk; `schoolgate.control.settings` calls
these with `os.environ`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_DATA_DIR = "./var"
DEFAULT_PACK = "ces"


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def data_dir(env: Mapping[str, str]) -> Path:
    """Where the database, snapshots and outbox live: `SCHOOLGATE_DATA`, default `./var`."""
    return Path(env.get("SCHOOLGATE_DATA") or DEFAULT_DATA_DIR).expanduser().resolve()


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite with WAL, a busy timeout and BEGIN IMMEDIATE for every transaction."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


def parse_database_url(url: str) -> dict[str, Any]:
    """`postgres://user:password@host:port/name?sslmode=…` or `sqlite:///path` → DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("DATABASE_URL: a PostgreSQL URL must name a database")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("DATABASE_URL: the port is not a number") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": 60,
        }
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):  # sqlite:////abs/path
            path = path[1:]
        elif path.startswith("/"):  # sqlite:///relative/or/abs
            path = path[1:] if not Path(path).is_absolute() else path
        if not path:
            raise ConfigError("DATABASE_URL: a sqlite URL must name a file")
        return sqlite_database(Path(path))
    raise ConfigError(
        f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres:// or sqlite:///)"
    )


def database(env: Mapping[str, str], data: Path) -> dict[str, Any]:
    url = env.get("DATABASE_URL", "").strip()
    if url:
        return parse_database_url(url)
    return sqlite_database(data / "schoolgate.sqlite3")


def redact_url(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {value!r} is not a boolean (use true or false)")


def secret_key(env: Mapping[str, str], data: Path) -> str:
    """`SCHOOLGATE_SECRET_KEY`, else one kept in the data directory, else a per-process one.

    The key is never printed. Reading the file is lazy in the sense that a missing file does not
    create anything here: `schoolgate manage migrate` writes it (see `ensure_secret_key`).
    """
    value = env.get("SCHOOLGATE_SECRET_KEY", "").strip()
    if value:
        return value
    path = data / "secret_key"
    try:
        stored = path.read_text(encoding="ascii").strip()
    except OSError:
        stored = ""
    return stored or secrets.token_urlsafe(50)


def ensure_secret_key(data: Path) -> Path:
    """Create the data directory's secret key file (mode 0600) if it is missing."""
    path = data / "secret_key"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50), encoding="ascii")
    return path


def allowed_hosts(env: Mapping[str, str]) -> list[str]:
    raw = env.get("SCHOOLGATE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    return [h.strip() for h in raw.split(",") if h.strip()]


def session_seconds(env: Mapping[str, str]) -> int:
    """How long a console sign-in lasts: `SCHOOLGATE_SESSION_HOURS`, default 8 (a school day)."""
    raw = env.get("SCHOOLGATE_SESSION_HOURS", "").strip() or "8"
    try:
        hours = float(raw)
    except ValueError:
        raise ConfigError(f"SCHOOLGATE_SESSION_HOURS: {raw!r} is not a number of hours") from None
    if not 0 < hours <= 24 * 7:
        raise ConfigError("SCHOOLGATE_SESSION_HOURS: between 0 and 168 hours")
    return int(hours * 3600)


def upload_megabytes(env: Mapping[str, str], name: str, default: int) -> int:
    """An upload limit given in MB (whole or fractional), as bytes; refused unless positive."""
    raw = env.get(name, "").strip() or str(default)
    try:
        megabytes = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number of megabytes") from None
    if not 0 < megabytes <= 100_000:
        raise ConfigError(f"{name}: between 0 and 100000 MB")
    return int(megabytes * 1024 * 1024)


def bypass_incident_after(env: Mapping[str, str]) -> int:
    """After how many bypass attempts in 24 hours the ingester opens an incident about a student:
    `SCHOOLGATE_BYPASS_INCIDENT_AFTER`, default 3 (the first two can be a mistyped link or a
    curious click; a third is a pattern for the assistant principal); 0 opens none."""
    raw = env.get("SCHOOLGATE_BYPASS_INCIDENT_AFTER", "").strip() or "3"
    try:
        count = int(raw)
    except ValueError:
        raise ConfigError(
            f"SCHOOLGATE_BYPASS_INCIDENT_AFTER: {raw!r} is not a whole number of attempts"
        ) from None
    if not 0 <= count <= 10_000:
        raise ConfigError("SCHOOLGATE_BYPASS_INCIDENT_AFTER: between 0 (never) and 10000")
    return count
