"""kakehashi settings: every value comes from a KAKEHASHI_* environment variable.

`.env.example` at the repository root lists them all. Bad values stop the process with a
ConfigError naming the variable, rather than running with a silent default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kakehashi.lib.datadir import default_data_dir, ensure_dir, load_or_create_secret
from kakehashi.lib.email_url import parse_email_url
from kakehashi.lib.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = ensure_dir(env_path("KAKEHASHI_DATA_DIR", default_data_dir()))

DEBUG = env_bool("KAKEHASHI_DEBUG", False)
SECRET_KEY = env_str("KAKEHASHI_SECRET_KEY") or load_or_create_secret(DATA_DIR / "secret_key")
if len(SECRET_KEY) < 50:
    raise ConfigError("KAKEHASHI_SECRET_KEY must be at least 50 characters long")

# Keys e-mail addresses in the suppression list and consent ledger so they survive erasure;
# separate from SECRET_KEY so rotating that never un-suppresses anyone.
ADDRESS_HASH_KEY = env_str("KAKEHASHI_ADDRESS_HASH_KEY") or load_or_create_secret(
    DATA_DIR / "address_hash_key"
)

ALLOWED_HOSTS = env_list("KAKEHASHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KAKEHASHI_CSRF_TRUSTED_ORIGINS")
# The public base URL, used in e-mails (invitations, password resets).
BASE_URL = env_str("KAKEHASHI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- HTTPS: on in production, behind a TLS-terminating proxy ---------------------------------
HTTPS = env_bool("KAKEHASHI_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("KAKEHASHI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("KAKEHASHI_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("KAKEHASHI_HSTS_PRELOAD", True)
if env_bool("KAKEHASHI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("KAKEHASHI_SESSION_DAYS", 14, minimum=1) * 86400

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "huey.contrib.djhuey",
    "kakehashi.core",
    "kakehashi.accounts",
    "kakehashi.leads",
    "kakehashi.timeline",
    "kakehashi.scoring",
    "kakehashi.tracking",
    "kakehashi.consent",
    "kakehashi.imports",
    "kakehashi.deals",
    "kakehashi.journey",
    "kakehashi.handoff",
    "kakehashi.webforms",
    "kakehashi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kakehashi.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kakehashi.urls"
WSGI_APPLICATION = "kakehashi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kakehashi.core.context_processors.shell",
            ],
        },
    },
]

# --- Database: SQLite (WAL) embedded by default, PostgreSQL via KAKEHASHI_DATABASE_URL -------
DATABASE_URL = env_str("KAKEHASHI_DATABASE_URL")
if DATABASE_URL:
    try:
        _db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=60))
    except Exception as exc:  # dj_database_url raises several types for bad URLs
        raise ConfigError(f"KAKEHASHI_DATABASE_URL is not a database URL: {exc}") from None
    _db["CONN_HEALTH_CHECKS"] = True
    # Prepared statements for the few hot statements sent on plain psycopg cursors (the
    # ingestion journal, the score update): planned once per connection instead of once per
    # event. Django's own queries bind on the client and are never prepared. Turn off behind
    # a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
    _db.setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("KAKEHASHI_DATABASE_PREPARE", True) else None
    )
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "kakehashi.sqlite3",
        "OPTIONS": {
            # WAL lets the web processes read while the worker writes; IMMEDIATE takes the
            # write lock at BEGIN so two writers queue on the busy timeout instead of failing
            # with "database is locked" when a read transaction tries to upgrade.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
DATABASES = {"default": _db}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (optional): jobs and cache --------------------------------------------------------
REDIS_URL = env_str("KAKEHASHI_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (huey) -------------------------------------------------------------------
HUEY_WORKERS = env_int("KAKEHASHI_WORKER_THREADS", 2, minimum=1)
_huey_common: dict[str, Any] = {
    "name": "kakehashi",
    "immediate": env_bool("KAKEHASHI_HUEY_IMMEDIATE", False),
    "results": False,
    "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY: dict[str, Any] = {
        **_huey_common,
        "huey_class": "huey.RedisHuey",
        "connection": {"url": REDIS_URL},
    }
elif IS_POSTGRES:
    HUEY = {**_huey_common, "huey_class": "huey.PostgresHuey", "dsn": DATABASE_URL}
else:
    HUEY = {
        **_huey_common,
        "huey_class": "huey.SqliteHuey",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
    }
HUEY_BACKEND = HUEY["huey_class"].rsplit(".", 1)[-1]

# --- Accounts and authentication -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3 * 86400

AXES_FAILURE_LIMIT = env_int("KAKEHASHI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("KAKEHASHI_LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# --- Internationalization: Japanese first, English complete ----------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("KAKEHASHI_TIME_ZONE", "Asia/Tokyo")
FORMAT_MODULE_PATH = ["kakehashi.formats"]
LANGUAGE_COOKIE_NAME = "kakehashi_language"

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_path("KAKEHASHI_STATIC_ROOT", DATA_DIR / "static")
if STATIC_ROOT.is_relative_to(DATA_DIR):
    ensure_dir(STATIC_ROOT)  # whitenoise warns about a missing STATIC_ROOT
STATICFILES_DIRS = [BASE_DIR / "static"]
# plotly.min.js (the journey map's Sankey) is served straight from the installed plotly wheel.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "kakehashi.journey.staticfinder.PlotlyFinder",
]
# Serve straight from the installed packages, so `kakehashi up` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env_path("KAKEHASHI_MEDIA_ROOT", DATA_DIR / "media")
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
globals().update(parse_email_url(env_str("KAKEHASHI_EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("KAKEHASHI_FROM_EMAIL", "kakehashi <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Product settings -------------------------------------------------------------------------
LEADS_PER_PAGE = env_int("KAKEHASHI_LEADS_PER_PAGE", 50, minimum=10)
API_MAX_PAGE_SIZE = 200
# Web tracking: how long anonymous visitors' events are kept, and the no-op endpoint
# (/v1/_floor) that `kakehashi bench ingest` measures its baseline against.
TRACKING_RETENTION_DAYS = env_int("KAKEHASHI_TRACKING_RETENTION_DAYS", 395, minimum=1)
TRACKING_BENCH_ENDPOINT = env_bool("KAKEHASHI_TRACKING_BENCH_ENDPOINT", False)
# Public forms: submissions per IP address per 10 minutes (a booth tablet sends many), and
# hosts besides this server and the tracking sources' sites that forms may redirect to.
WEBFORMS_RATE_LIMIT = env_int("KAKEHASHI_FORMS_RATE_LIMIT", 30, minimum=1)
WEBFORMS_REDIRECT_HOSTS = env_list("KAKEHASHI_FORMS_REDIRECT_HOSTS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KAKEHASHI_LOG_LEVEL", "WARNING")},
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
