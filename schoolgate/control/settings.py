"""Django settings for the control plane; every value comes from `config` functions."""

from __future__ import annotations

import os

from schoolgate.control import config
from schoolgate.control.accounts.oidc import config as oidc_config
from schoolgate.control.api import conf as api_conf

ENV = os.environ
DATA_DIR = config.data_dir(ENV)

SECRET_KEY = config.secret_key(ENV, DATA_DIR)
DEBUG = config.boolean(ENV, "SCHOOLGATE_DEBUG", False)
ALLOWED_HOSTS = config.allowed_hosts(ENV)

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "schoolgate.control.evidence",
    "schoolgate.control.people",
    "schoolgate.control.networks",
    "schoolgate.control.agreements",
    "schoolgate.control.consents",
    "schoolgate.control.conduct",
    "schoolgate.control.publication",
    "schoolgate.control.accounts",
    "schoolgate.control.access",
    "schoolgate.control.console",
    "schoolgate.control.imports",
    "schoolgate.control.activity",
    "schoolgate.control.reviews",
    "rest_framework",
    "drf_spectacular",
    "schoolgate.control.api",
]
MIDDLEWARE: list[str] = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
                "schoolgate.control.console.context.viewer_context",
            ]
        },
    }
]

# The staff console's sign-in (docs/console.md): argon2id hashes first; older hashes still
# verify and are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:dashboard"
# Cookies: HttpOnly, SameSite=Lax, Secure unless SCHOOLGATE_SECURE_COOKIES=false (plain HTTP on
# loopback, as `schoolgate console` runs the demo); sessions end after SCHOOLGATE_SESSION_HOURS
# or when the browser closes.
SECURE_COOKIES = config.boolean(ENV, "SCHOOLGATE_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = config.session_seconds(ENV)
# The console's roster upload (docs/console.md): `SCHOOLGATE_ROSTER_UPLOAD_MB`, default 200.
ROSTER_UPLOAD_MAX_BYTES = config.upload_megabytes(ENV, "SCHOOLGATE_ROSTER_UPLOAD_MB", 200)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sign-in through OpenID providers (docs/console.md): SCHOOLGATE_OIDC lists them, each set by
# SCHOOLGATE_OIDC_<ID>_*; none by default.
SCHOOLGATE_OIDC_PROVIDERS = oidc_config.providers(ENV)
SCHOOLGATE_OIDC_REDIRECT_BASE = oidc_config.redirect_base(ENV)
STATIC_URL = "static/"  # the pages carry their CSS inline; Django's test server needs a value
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
ROOT_URLCONF = "schoolgate.control.urls"
# The JSON API (docs/api.md): DRF and drf-spectacular settings live with the app.
REST_FRAMEWORK = api_conf.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api_conf.SPECTACULAR_SETTINGS

DATABASES = {"default": config.database(ENV, DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False

# The policy pack the control plane compiles snapshots from, and where they are published.
SCHOOLGATE_PACK = ENV.get("SCHOOLGATE_PACK", config.DEFAULT_PACK)
SCHOOLGATE_SNAPSHOT = ENV.get("SCHOOLGATE_SNAPSHOT") or str(DATA_DIR / "snapshot.json")
# How long filter events are kept, in days (docs/console.md § Retention; checked by activity).
SCHOOLGATE_EVENT_RETENTION_DAYS = ENV.get("SCHOOLGATE_EVENT_RETENTION_DAYS") or "365"
# Bypass attempts in 24 hours that open an incident about the student (docs/console.md § Incidents;
# read by the activity ingester); 0: never.
SCHOOLGATE_BYPASS_INCIDENT_AFTER = config.bypass_incident_after(ENV)

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
