"""Settings parsed from the environment (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schoolgate.control import config


def test_sqlite_in_the_data_dir_by_default(tmp_path: Path) -> None:
    data = config.data_dir({"SCHOOLGATE_DATA": str(tmp_path)})
    db = config.database({}, data)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "schoolgate.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert config.data_dir({}) == Path("./var").resolve()


def test_postgres_url() -> None:
    db = config.parse_database_url(
        "postgres://sg:p%40ss@db.internal:6543/schoolgate?sslmode=require"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "schoolgate",
        "sg",
        "p@ss",
        "db.internal",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert (
        config.database({"DATABASE_URL": "postgresql://postgres@127.0.0.1/x"}, Path("/d"))["NAME"]
        == "x"
    )


def test_sqlite_url() -> None:
    assert config.parse_database_url("sqlite:////srv/sg/db.sqlite3")["NAME"] == "/srv/sg/db.sqlite3"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("postgres://u@h/", "must name a database"),
        ("postgres://u@h:port/db", "port is not a number"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        config.parse_database_url(url)


def test_password_is_redacted() -> None:
    assert config.redact_url("postgres://sg:secret@h/db") == "postgres://sg:***@h/db"
    assert config.redact_url("postgres://sg@h/db") == "postgres://sg@h/db"


def test_booleans() -> None:
    assert config.boolean({"X": "yes"}, "X", False) is True
    assert config.boolean({}, "X", True) is True
    with pytest.raises(config.ConfigError, match="X: 'maybe' is not a boolean"):
        config.boolean({"X": "maybe"}, "X", False)


def test_secret_key_from_env_then_file(tmp_path: Path) -> None:
    assert config.secret_key({"SCHOOLGATE_SECRET_KEY": "k"}, tmp_path) == "k"
    path = config.ensure_secret_key(tmp_path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert config.secret_key({}, tmp_path) == path.read_text()
