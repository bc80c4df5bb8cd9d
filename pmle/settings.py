"""PMLE Cards settings: the only settings module, configured by environment variables (see README)."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "accounts",
    "cards",
    "exams",
]

MIDDLEWARE = [
    "pmle.logs.request_id_middleware",
    "pmle.middleware.health_check",  # /healthz answered here, before sessions, hosts and the HTTPS redirect
    # Pages are sent compressed (a dashboard's SVG charts shrink tenfold); outside everything that writes the body.
    # Django pads each compressed response at random against BREACH, and the CSRF token is masked per response.
    # Static files come already compressed from whitenoise, which this leaves alone.
    "django.middleware.gzip.GZipMiddleware",
    "pmle.middleware.bounded_request_body",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pmle.middleware.resolved_user",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pmle.middleware.expired_session_redirect",
    "pmle.middleware.content_security_policy",
    "pmle.middleware.private_pages",
    "pmle.middleware.method_not_allowed_page",
    "pmle.middleware.debug_not_found_page",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into our own response
]

# Request bodies: at most 5 MB (pmle.middleware refuses larger ones with 413 before they are read); form fields
# over that in memory are refused by Django, and file parts (deck imports) are counted by the bounded handler and
# kept in memory: at 5 MB at most, they are never written to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "pmle.middleware.BoundedUploadHandler",  # counts every file part's bytes and stops at 5 MB
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

ROOT_URLCONF = "pmle.urls"
WSGI_APPLICATION = "pmle.wsgi.application"

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
                "accounts.context_processors.login_next",
                "pmle.context_processors.nav",
                "pmle.context_processors.assets",
            ],
        },
    }
]

# SQLite by default, tuned for a web server: WAL lets readers run beside one writer, the busy timeout waits for
# the write lock instead of failing, and IMMEDIATE transactions take that lock up front so that two writers never
# deadlock on a lock upgrade. DATABASE_URL (postgres://...) switches to PostgreSQL.
SQLITE_PATH = Path(env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "pmle.sqlite",  # Django's, with placeholders converted once per query text
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # Keep each worker thread's connection between requests, as for PostgreSQL: opening the file and
            # running the PRAGMAs above cost more than a typical request's queries. Django's connections are
            # per thread, so gunicorn's gthread workers each keep one per thread, never shared between threads.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # Tests use a file, not the shared in-memory database: that one locks whole tables, so the threaded
            # race tests (tests/test_races.py) could not run on it as the site runs on a file. One file per test
            # process, in the temporary directory, so that two runs never share one.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"pmle-test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache every worker and every app server shares (rate limits count across all of them): Redis when REDIS_URL
# is set, else a table in the database (`manage.py createcachetable`, run by `make run` and the image's start).
# The "content" cache holds what every learner shares (the exam decks' curriculum order, cards/content.py), keyed
# by a content version the database changes with the content: each worker's memory, or Redis with REDIS_URL.
if env("REDIS_URL"):
    REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
    CACHES = {"default": REDIS, "content": {**REDIS, "KEY_PREFIX": "content"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "pmle_cache"},
        "content": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "content"},
    }
# Mock exams: how many questions and minutes (the real exam: 50-60 questions in two hours). Tests take short ones.
EXAM_QUESTIONS = int(env("EXAM_QUESTIONS", "50"))
EXAM_MINUTES = int(env("EXAM_MINUTES", "120"))
# Live previews a learner may request per minute: typing sends one every 300 ms pause, far below this.
PREVIEW_RATE_PER_MINUTE = int(env("PREVIEW_RATE_PER_MINUTE", "60"))

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (django-axes, for the site's login and the admin's): after 10 failed attempts for one username
# from one address, that pair is refused for 15 minutes; a success clears the count. The count lives in the
# database, so every worker and app server sees it.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.LearnerBackend"]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "pmle.clientip.client_ip"
# Behind a proxy (DJANGO_BEHIND_PROXY=1) the client's address is read from X-Forwarded-For: the entry this many
# places from the right is the one the nearest trusted proxy saw (1 for Cloud Run; 2 behind a Google load balancer).
PROXY_HOPS = int(env("DJANGO_PROXY_HOPS", "1"))
# Sign-ups one address may make per hour (then 429 until the hour ends), counted in the shared cache.
SIGNUP_RATE_PER_HOUR = int(env("SIGNUP_RATE_PER_HOUR", "10"))

# Mail (password resets): printed to stdout unless EMAIL_HOST names an SMTP server.
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PMLE Cards <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for a day

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded card images (cards/images.py): files under MEDIA_ROOT, served only through the app's own view, which
# checks who may see them (there is no public MEDIA_URL).
# With GS_BUCKET_NAME they live in that Cloud Storage bucket instead (django-storages), shared by every instance;
# credentials come from the environment (the service account on Cloud Run), and the bucket stays private.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
GS_BUCKET_NAME = env("GS_BUCKET_NAME")
MEDIA_STORAGE = (
    {
        "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
        "OPTIONS": {
            "bucket_name": GS_BUCKET_NAME,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if GS_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "pmle.staticfiles.StaticFilesStorage"  # whitenoise's, each URL worked out once
    },
}

# Security: strict by default, relaxed only by DJANGO_DEBUG or an explicit opt-out behind a TLS proxy.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_ENGINE = "pmle.sessions"  # Django's database sessions, read in one plain query

# Logs go to stdout, one JSON object a line with the request's id (pmle/logs.py); DJANGO_LOG_FORMAT=text gives
# plain lines for reading in a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "pmle.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "pmle.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "text" if env("DJANGO_LOG_FORMAT", "json") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}
