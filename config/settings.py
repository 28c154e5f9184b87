"""The one settings module. Every value comes from the environment (documented in
.env.example) and falls back to the embedded defaults `make run` uses: SQLite, a
filesystem broker and a local result folder under DATA_DIR."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


# An empty variable counts as unset, so `VAR=` in an .env file means "the default".
def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    return int(env_str(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(env_str(name, str(default)))


def env_bool(name: str, default: bool) -> bool:
    return env_str(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A key generated once per data folder, so sessions survive restarts of `make run`."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY", "") or _embedded_secret_key()
# Encrypts data source credentials at rest; defaults to a key derived from SECRET_KEY.
ENCRYPTION_KEY = env_str("ENCRYPTION_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PORT = env_int("PORT", 8000)
# gunicorn processes and threads of the web server that `make run` starts
WEB_WORKERS = env_int("WEB_WORKERS", 2)
WEB_THREADS = env_int("WEB_THREADS", 8)
# a request's head must arrive within this long of its first byte, its body within this long
# after the head (overall deadlines, see config/gunicorn_worker.py)
WEB_REQUEST_HEAD_TIMEOUT_S = env_float("WEB_REQUEST_HEAD_TIMEOUT_S", 10.0)
WEB_REQUEST_BODY_TIMEOUT_S = env_float("WEB_REQUEST_BODY_TIMEOUT_S", 60.0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'metadata.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat write to one file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions make writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-metadata.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's own list, with its PBKDF2 hasher replaced by one that also makes the SCRAM secret
# of each new password for the wire endpoint (dashboards/wire_credentials.py); both share
# the algorithm name `pbkdf2_sha256`, so only one of them may be listed.
PASSWORD_HASHERS = [
    "dashboards.identity.wire_credentials.WirePasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport in DATA_DIR.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # the default of 1 s would add up to a second to every uncached run
        "polling_interval": 0.05,
    }
)
if not REDIS_URL:
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILE = str(DATA_DIR / "celerybeat-schedule")
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 2)

# Result store: one Arrow IPC (lz4) file per fingerprint under RESULTS_DIR.
RESULTS_DIR = Path(env_str("RESULTS_DIR", str(DATA_DIR / "results"))).resolve()
RESULTS_MAX_BYTES = env_int("RESULTS_MAX_BYTES", 5 * 1024**3)
RESULT_TTL_S = env_int("RESULT_TTL_S", 7 * 24 * 3600)

# Query execution defaults for new data sources, and single-flight liveness.
QUERY_TIMEOUT_S = env_float("QUERY_TIMEOUT_S", 300.0)
QUERY_MAX_ROWS = env_int("QUERY_MAX_ROWS", 10_000_000)
QUERY_MAX_BYTES = env_int("QUERY_MAX_BYTES", 2 * 1024**3)
POSTGRES_VERSION_TTL_S = env_int("POSTGRES_VERSION_TTL_S", 300)
HEARTBEAT_INTERVAL_S = env_float("HEARTBEAT_INTERVAL_S", 2.0)
# A claimed execution whose worker has not beaten its heart for this long is dead.
STALE_EXECUTION_S = env_float("STALE_EXECUTION_S", 30.0)
# A queued execution no worker picked up for this long fails (no worker running).
QUEUED_EXECUTION_MAX_S = env_float("QUEUED_EXECUTION_MAX_S", 600.0)
# Fair sharing: one user's queries running at once (beyond it they wait, so the worker
# keeps a slot for others), and waiting at once (beyond it a new one is refused).
QUERY_MAX_RUNNING_PER_USER = env_int("QUERY_MAX_RUNNING_PER_USER", max(1, WORKER_CONCURRENCY - 1))
QUERY_MAX_QUEUED_PER_USER = env_int("QUERY_MAX_QUEUED_PER_USER", 50)

# Server-side PNG/PDF export: the Chromium binary, and where it reaches this site when
# the public address is not reachable from the server itself (behind a proxy).
CHROMIUM_PATH = env_str("CHROMIUM_PATH", "/usr/bin/chromium")
EXPORT_BASE_URL = env_str("EXPORT_BASE_URL", "")

DEMO_DIR = Path(env_str("DEMO_DIR", str(DATA_DIR / "demo"))).resolve()
PGWIRE_HOST = env_str("PGWIRE_HOST", "127.0.0.1")
PGWIRE_PORT = env_int("PGWIRE_PORT", 15432)
# Without a certificate the endpoint makes a self-signed one for local use.
PGWIRE_TLS_CERT = env_str("PGWIRE_TLS_CERT", "")
PGWIRE_TLS_KEY = env_str("PGWIRE_TLS_KEY", "")
# Wire queries are answered from the result cache when a result of the same fingerprint
# (which covers table versions) is younger than this; 0 always asks the engine.
PGWIRE_CACHE_MAX_AGE_S = env_float("PGWIRE_CACHE_MAX_AGE_S", 300.0)
# A wire client must have logged in this long after connecting, or it is disconnected.
PGWIRE_LOGIN_TIMEOUT_S = env_float("PGWIRE_LOGIN_TIMEOUT_S", 30.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # sqlglot warns whenever it keeps a statement (EXPLAIN, SHOW …) as an opaque command
    "loggers": {"sqlglot": {"level": "ERROR"}},
}
