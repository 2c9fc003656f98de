"""Lokapasar settings, read from environment variables.

With no variable set the app runs on its embedded defaults: SQLite in ``var/``,
Celery tasks run eagerly in-process, a database cache and sessions, console email.
With ``DATABASE_URL`` and ``REDIS_URL`` it runs on PostgreSQL (psycopg 3) with Redis
as cache and Celery broker. Every variable is documented in README.md and
``.env.example``.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")


def env(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105 (refused when DEBUG is off)
SECRET_KEY = env("SECRET_KEY") or _DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "marketplace",
    "sellers",
    "catalog",
    "orders",
    "policy",
    # The demonstration data: stands on every app above, nothing imports it.
    "demo",
    "marketplace.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_countries",
    "treebeard",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The data API's documentation page, from its own static files (no CDN).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
AUTH_USER_MODEL = "marketplace.User"
SITE_NAME = "Lokapasar"
# The public address of the site, for links in emails sent by background jobs.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

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
                "django.template.context_processors.i18n",
                "marketplace.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "lokapasar.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
# A read replica for the dashboard, the reports and the data API (marketplace.db):
# the router sends every write and migration to the main database.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        # As a replica is: any write there is refused by the server itself.
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = (
            "-c default_transaction_read_only=on"
        )
DATABASE_ROUTERS = ["marketplace.db.MainWritesRouter"]
DB_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The included columns of a covering index are PostgreSQL's; SQLite keeps the plain index.
SILENCED_SYSTEM_CHECKS = [] if DB_IS_POSTGRES else ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lokapasar"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Several web processes (gunicorn workers) must agree on rate limits, login
    # throttles and the catalog's cache version: a per-process local-memory cache would
    # give each worker its own. The cache table lives in the embedded database and is
    # created after every ``migrate`` (marketplace.apps).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lokapasar_cache",
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lokapasar"),
            # Culling at Django's default 300 entries would let a flood of page
            # fragments evict the sign-in throttle's counters.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", "memory://")
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TIMEZONE = "UTC"
# When beat collects last month's taxes: the day of the month and the hour (site time).
TAX_COLLECTION_DAY = int(env("TAX_COLLECTION_DAY", "1"))
TAX_COLLECTION_HOUR = int(env("TAX_COLLECTION_HOUR", "2"))
# How many cooperatives the collection assesses per transaction.
TAX_COLLECTION_BATCH = int(env("TAX_COLLECTION_BATCH", "500"))
# Digital villages (the Taobao-village definition): a commune earns the label with yearly
# sales of at least DIGITAL_VILLAGE_YEARLY_SALES (in the marketplace's currency) and at
# least DIGITAL_VILLAGE_ACTIVE_SHOPS active cooperatives, or active cooperatives in at
# least DIGITAL_VILLAGE_HOUSEHOLD_SHARE of its households; an active cooperative has been
# open DIGITAL_VILLAGE_OPEN_DAYS days and averaged DIGITAL_VILLAGE_ORDERS_PER_MONTH orders
# a month over the last three months.
DIGITAL_VILLAGE_YEARLY_SALES = Decimal(env("DIGITAL_VILLAGE_YEARLY_SALES", "10000000"))
DIGITAL_VILLAGE_ACTIVE_SHOPS = int(env("DIGITAL_VILLAGE_ACTIVE_SHOPS", "100"))
DIGITAL_VILLAGE_HOUSEHOLD_SHARE = Decimal(env("DIGITAL_VILLAGE_HOUSEHOLD_SHARE", "0.10"))
DIGITAL_VILLAGE_OPEN_DAYS = int(env("DIGITAL_VILLAGE_OPEN_DAYS", "30"))
DIGITAL_VILLAGE_ORDERS_PER_MONTH = int(env("DIGITAL_VILLAGE_ORDERS_PER_MONTH", "1"))
# Beat reads this schedule.
CELERY_BEAT_SCHEDULE: dict = {
    "collect-last-months-taxes": {
        "task": "policy.tasks.collect_taxes",
        "schedule": crontab(minute=0, hour=TAX_COLLECTION_HOUR, day_of_month=TAX_COLLECTION_DAY),
    },
    "relay-email-outbox": {"task": "marketplace.tasks.relay_outbox", "schedule": 60.0},
    # Today's dashboard figures: rebuilt every ROLLUP_REFRESH_SECONDS.
    "refresh-dashboard-rollups": {
        "task": "policy.tasks.refresh_rollups",
        "schedule": float(env("ROLLUP_REFRESH_SECONDS", "300")),
    },
    # Last month's report, once its rollups have settled (after the tax collection).
    "build-last-months-report": {
        "task": "policy.tasks.build_last_months_report",
        "schedule": crontab(
            minute=30, hour=TAX_COLLECTION_HOUR + 1, day_of_month=TAX_COLLECTION_DAY
        ),
    },
    # Last year's digital villages, once the year's last rollups are built.
    "mark-last-years-digital-villages": {
        "task": "policy.tasks.mark_digital_villages",
        "schedule": crontab(minute=0, hour=4, day_of_month=2, month_of_year=1),
    },
    "enforce-listing-rules-that-take-effect": {
        "task": "policy.tasks.enforce_due_rules",
        "schedule": crontab(minute=5),
    },
    "remind-managers-of-expiring-certificates": {
        "task": "policy.tasks.send_certificate_reminders",
        "schedule": crontab(minute=40, hour=6),
    },
    "clear-expired-sessions": {
        "task": "marketplace.tasks.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
}

# Sessions are read through the cache only when the cache is shared by every process
# (Redis); on the embedded defaults they are read from the database each time, so a
# sign-out or a checkout step seen by one worker is seen by all.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- Accounts (django-allauth) --------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "marketplace.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are throttled by marketplace.login_throttle (LOGIN_THROTTLE below),
    # never per account alone; allauth applies this limit only to two-factor codes,
    # which only someone holding the password reaches.
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Failed sign-ins: (free failures, first wait in seconds, longest wait) per scope; after
# the free ones each failure doubles the wait. See marketplace/login_throttle.py.
LOGIN_THROTTLE = {
    "address": (20, 60, 3600),  # one client address, every account
    "pair": (5, 30, 3600),  # one account from one address
    "account": (50, 60, 3600),  # one account, browsers that never signed in to it
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Lokapasar] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Lokapasar"

# --- Email ----------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# For django.core.mail.backends.filebased.EmailBackend: one file per sent batch.
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH") or VAR_DIR / "sent-emails")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Lokapasar <no-reply@lokapasar.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Marketplace ----------------------------------------------------------------
MARKETPLACE_COUNTRY = env("MARKETPLACE_COUNTRY", "ID").upper()
_COUNTRY_CURRENCY = {"ID": "IDR", "BI": "BIF", "VN": "VND"}
MARKETPLACE_CURRENCY = env(
    "MARKETPLACE_CURRENCY", _COUNTRY_CURRENCY.get(MARKETPLACE_COUNTRY, "USD")
).upper()
REGULATOR_GROUP = "regulator"
# Payment providers buyers may choose (codes from orders.payments). The sandbox marks an
# order paid with nothing paid: it is for development and tests only, and a system check
# refuses it when DEBUG is off.
PAYMENT_PROVIDERS = env_list(
    "PAYMENT_PROVIDERS", ["on_delivery", "sandbox"] if DEBUG else ["on_delivery"]
)
# Days after delivery during which a buyer may ask to return lines.
RETURN_WINDOW_DAYS = int(env("RETURN_WINDOW_DAYS", "14"))
# A recall emails the buyers who received one of its products within this many days.
RECALL_NOTIFY_DAYS = int(env("RECALL_NOTIFY_DAYS", "365"))
# Requests a data API token may make in a minute (then 429 until the next minute).
API_RATE_LIMIT_PER_MINUTE = int(env("API_RATE_LIMIT_PER_MINUTE", "600"))

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("id", _("Indonesian")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
# Documents that must not be public (business licences): served only through views
# that check who asks.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# No inline script, no third-party origin: everything is served from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # With tasks run in-process, one line per task drowns the development log.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
