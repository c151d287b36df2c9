"""Settings for ComplaintDesk: one environment-driven base.

Every value comes from an environment variable with a safe default. The embedded default is
SQLite (WAL mode) under ``var/``; ``DATABASE_URL`` switches to PostgreSQL. Secrets have a usable
default only when ``DJANGO_DEBUG`` is on (development); otherwise start-up refuses to run without them.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMPLAINTDESK_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = env_bool("COMPLAINTDESK_TESTING", False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-key-not-for-production"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "complaintdesk.core",
    "complaintdesk.accounts",
    "complaintdesk.journal",
    "complaintdesk.sla",
    "complaintdesk.procedures",
    "complaintdesk.complaints",
    "complaintdesk.notifications",
    "complaintdesk.force_majeure",
    "complaintdesk.intake",
    "complaintdesk.search",
    "complaintdesk.reports",
    "complaintdesk.api",
    "complaintdesk.web",
    "complaintdesk.portal",
    "complaintdesk.documents",
    "complaintdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Providers' signed webhooks go straight to their views (no session, CSRF, locale…).
    "complaintdesk.intake.middleware.ProviderWebhookMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
# PostgreSQL: inside core.db.prepared_statements() blocks (the intake) parameters are bound on the
# server and a statement run this many times on a connection is prepared (core/db.py says why
# not everywhere). `off`: never — for a pooler in transaction mode that cannot keep prepared
# statements (PgBouncer before 1.21, or with max_prepared_statements = 0).
_prepare = env("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
if _prepare in {"", "off", "none", "no", "false"}:
    DATABASE_PREPARE_THRESHOLD: int | None = None
elif _prepare.isdigit():
    DATABASE_PREPARE_THRESHOLD = int(_prepare)
else:
    raise ImproperlyConfigured(
        f"DATABASE_PREPARE_THRESHOLD must be a number of runs or 'off', not {_prepare!r}."
    )
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "complaintdesk.core.sqlite",  # sqlite3 + a writer queue (core/sqlite)
            "NAME": env("SQLITE_PATH", str(VAR_DIR / "complaintdesk.sqlite3")),
            # Keep connections (as for PostgreSQL): opening one runs the PRAGMAs below, ~3 ms.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE transactions take the
                # write lock up front so two writers queue on busy_timeout instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Cache (rate limits, sign-in lockout) -----------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "complaintdesk_cache",
        }
    }

# JSON API rate limits, "requests/seconds" (api/ratelimit.py): per token (or signed-in user), and
# per client address for requests without valid credentials. "0/60" switches one off.
API_RATE = env("API_RATE", "600/60")
API_RATE_ANONYMOUS = env("API_RATE_ANONYMOUS", "60/60")

# Reference rows read on every request (API tokens, categories, active procedures) are kept in
# process memory this many seconds (core/memo.py); 0 turns that off.
REFERENCE_CACHE_SECONDS = float(env("REFERENCE_CACHE_SECONDS", "5"))

# --- Background tasks -----------------------------------------------------------------------
TASKS_BACKEND = env("TASKS_BACKEND", "database")
if TASKS_BACKEND == "redis":
    RQ_QUEUES = {"default": {"URL": env("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS.append("django_rq")
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Outgoing email (notices go through the outbox; see notifications/) ------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "cskh@complaintdesk.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Channels (intake/): credentials seed the admin-editable ChannelConfig rows ----------------
# Mailboxes polled for new mail, space-separated: imaps://user:password@host/INBOX?move_to=Done
EMAIL_IMAP_URL = env("EMAIL_IMAP_URL")
EMAIL_POLL_LIMIT = int(env("EMAIL_POLL_LIMIT", "50"))
EMAIL_MESSAGE_ID_DOMAIN = env("EMAIL_MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2])
EMAIL_OWN_ADDRESSES = env_list("EMAIL_OWN_ADDRESSES")  # more of our addresses (loop detection)
FACEBOOK_APP_SECRET = env("FACEBOOK_APP_SECRET")
FACEBOOK_VERIFY_TOKEN = env("FACEBOOK_VERIFY_TOKEN")
FACEBOOK_PAGE_TOKEN = env("FACEBOOK_PAGE_TOKEN")
FACEBOOK_GRAPH_API_BASE = env("FACEBOOK_GRAPH_API_BASE", "https://graph.facebook.com/v21.0")
ZALO_APP_ID = env("ZALO_APP_ID")
ZALO_OA_SECRET_KEY = env("ZALO_OA_SECRET_KEY")
ZALO_ACCESS_TOKEN = env("ZALO_ACCESS_TOKEN")
ZALO_OA_API_BASE = env("ZALO_OA_API_BASE", "https://openapi.zalo.me")
ZALO_ZNS_API_BASE = env("ZALO_ZNS_API_BASE", "https://business.openapi.zalo.me")
HOTLINE_WEBHOOK_SECRET = env("HOTLINE_WEBHOOK_SECRET")
INTAKE_RAW_MAX_BYTES = int(env("INTAKE_RAW_MAX_BYTES", str(10 * 1024 * 1024)))
# Webhooks, web form and chat (docs/channels.md). Rates are "requests/seconds" per address.
HOTLINE_MAX_SKEW_SECONDS = int(env("HOTLINE_MAX_SKEW_SECONDS", "300"))
WEBHOOK_RATE = env("WEBHOOK_RATE", "1200/60")  # per server process
WEBHOOK_FAILURE_RATE = env("WEBHOOK_FAILURE_RATE", "60/600")  # refused requests, shared cache
INTAKE_CLIENT_IP_HEADER = env("INTAKE_CLIENT_IP_HEADER")  # e.g. HTTP_X_FORWARDED_FOR behind a proxy
ZALO_ZNS_TEMPLATE_ID = env("ZALO_ZNS_TEMPLATE_ID")
SMS_PROVIDER = env("SMS_PROVIDER", "esms")
ESMS_API_BASE = env("ESMS_API_BASE", "https://rest.esms.vn")
ESMS_API_KEY = env("ESMS_API_KEY")
ESMS_SECRET_KEY = env("ESMS_SECRET_KEY")
ESMS_BRANDNAME = env("ESMS_BRANDNAME")
ESMS_UNICODE = env_bool("ESMS_UNICODE", True)
ESMS_SANDBOX = env_bool("ESMS_SANDBOX", False)
WEBCHAT_FRAME_ANCESTORS = env_list("WEBCHAT_FRAME_ANCESTORS")  # https://www.congty.vn,…
WEBFORM_RATE = env("WEBFORM_RATE", "5/600")
CHAT_SESSION_RATE = env("CHAT_SESSION_RATE", "10/3600")
CHAT_MESSAGE_RATE_IP = env("CHAT_MESSAGE_RATE_IP", "60/60")
CHAT_MESSAGE_RATE_SESSION = env("CHAT_MESSAGE_RATE_SESSION", "20/60")
# Notices (outbox) delivered through the channel adapters, e.g. "sms,zns,facebook,zalo,chat".
NOTIFICATION_DELIVERERS = {
    channel: "complaintdesk.intake.delivery.OutboxDeliverer"
    for channel in env_list("NOTIFICATION_CHANNEL_ADAPTERS")
}

# --- i18n / time ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "complaintdesk" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", "900"))

# --- Product settings -----------------------------------------------------------------------
COMPLAINT_CODE_PREFIX = env("COMPLAINT_CODE_PREFIX", "KN")
DEFAULT_PROCEDURE = env("DEFAULT_PROCEDURE", "vieon")
# Procedure per intake channel, e.g. "letter:qcatv,counter:qcatv" (docs/procedures.md).
PROCEDURE_BY_CHANNEL = env("PROCEDURE_BY_CHANNEL", "")
SATISFACTION_WAIT_DAYS = int(env("SATISFACTION_WAIT_DAYS", "7"))
ORGANISATION_NAME = env("ORGANISATION_NAME", "Công ty TNHH Dịch vụ Khách hàng Demo")
# Absolute address of this site, for links in notices and receipts (e.g. https://cskh.example.vn).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
