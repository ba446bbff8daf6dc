"""Django settings for the control plane; every value comes from `config` functions."""

from __future__ import annotations

import os

from schoolgate.control import config

ENV = os.environ
DATA_DIR = config.data_dir(ENV)

SECRET_KEY = config.secret_key(ENV, DATA_DIR)
DEBUG = config.boolean(ENV, "SCHOOLGATE_DEBUG", False)
ALLOWED_HOSTS = config.allowed_hosts(ENV)

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "schoolgate.control.evidence",
    "schoolgate.control.people",
    "schoolgate.control.networks",
    "schoolgate.control.agreements",
    "schoolgate.control.consents",
    "schoolgate.control.conduct",
    "schoolgate.control.publication",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "schoolgate.control.urls"

DATABASES = {"default": config.database(ENV, DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False

# The policy pack the control plane compiles snapshots from, and where they are published.
SCHOOLGATE_PACK = ENV.get("SCHOOLGATE_PACK", config.DEFAULT_PACK)
SCHOOLGATE_SNAPSHOT = ENV.get("SCHOOLGATE_SNAPSHOT") or str(DATA_DIR / "snapshot.json")

# Reminders go through Django's mail layer; by default into files in the data directory.
EMAIL_BACKEND = ENV.get(
    "SCHOOLGATE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
DEFAULT_FROM_EMAIL = ENV.get("SCHOOLGATE_FROM_EMAIL", "schoolgate@localhost")

# Logs carry counts and ids, never names, addresses or any other student data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "schoolgate": {"handlers": ["console"], "level": ENV.get("SCHOOLGATE_LOG", "WARNING")}
    },
}
