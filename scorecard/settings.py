"""Settings for Scorecard: one module, driven by environment variables.

Every variable has a working development default (SQLite, Celery in eager
mode), so `make run` needs no servers. An empty variable means unset.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Lets Django's generic classes be written with their types (admin.ModelAdmin[ReportingUnit]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; an empty variable counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "csp",
    "districts",
    "indicators",
    "scorecard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL or another control character in the path or query string: 400, before any view (or the database).
    "scorecard.middleware.RefuseControlCharactersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login except those marked @login_not_required (/healthz, login).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "scorecard.urls"
WSGI_APPLICATION = "scorecard.wsgi.application"

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
                "scorecard.names.names",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["scorecard.formats"]  # one date format: "6 December 2024" (scorecard/formats/)

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: hashed, compressed names from collectstatic's manifest (scorecard/static_storage.py also
    # renders pages when collectstatic has not run: plain names, served from the source folders).
    "staticfiles": {
        "BACKEND": "scorecard.static_storage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_COLLECTED = (STATIC_ROOT / "staticfiles.json").is_file()
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_COLLECTED

# Celery: with no broker the tasks run eagerly, in-process (development and `make run`).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
# A killed worker's task is redelivered (acks_late + reject_on_worker_lost); the hard
# time limit stays below the broker's visibility timeout so a slow task is never
# started twice while it still runs.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise RuntimeError("CELERY_TASK_TIME_LIMIT must be below CELERY_BROKER_VISIBILITY_TIMEOUT")

# Uploads: Django does not limit uploaded files by itself, so the app does.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 200_000)
# How the upload (indicators) reads the data version, which lives in this app: named here, not imported there.
DATA_VERSION_READER = "scorecard.data_version.current_if_watched"
# No dead ends: an upload left received or queued this long has lost its task and can be sent again
# (a dead commit is seen at once on PostgreSQL, by its lock); files above this many rows are checked by the
# worker, with progress, rather than in the web request; a commit that writes this many values analyses
# the measurements table (PostgreSQL), so the next preview's plans know its new size.
UPLOAD_STALE_SECONDS = env_int("UPLOAD_STALE_SECONDS", 120)
UPLOAD_PREVIEW_IN_WORKER_ROWS = env_int("UPLOAD_PREVIEW_IN_WORKER_ROWS", 5_000)
UPLOAD_ANALYZE_AFTER_VALUES = env_int("UPLOAD_ANALYZE_AFTER_VALUES", 5_000)

# Small numbers on member pages are shown as [c] below this threshold.
SUPPRESSION_THRESHOLD = env_int("SUPPRESSION_THRESHOLD", 5)

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"


# --- Production hardening (security headers, CSP, cache, login throttling, logs) ---
# Every default below is for development; production (DEBUG=false) turns the protections on.

# HTTPS. TLS ends at the council's proxy / load balancer, which says so in X-Forwarded-Proto:
# trust that header only when a proxy that sets it (and strips the client's own) is in front.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health checks from docker and load balancers speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # a working day
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp 4): the app's own scripts only (plotly.js is served from
# /static/, chart data travels in json_script blocks, which are not executed). Plotly injects
# inline styles, hence 'unsafe-inline' for styles only; its image export uses data: and blob:.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Cache: in-process by default; Redis (shared by every web process) when REDIS_URL or CACHE_URL
# is set. Login throttling counts failures here, so production needs the shared one.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "scorecard"}
}

# Login throttling (scorecard/throttle.py): after LOGIN_FAILURE_LIMIT failed logins for one
# username from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# How many proxies in front append to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = ["scorecard.throttle.ThrottledModelBackend"]

# Logs: one JSON object a line (LOG_FORMAT=json, for log collectors) or plain text.
# Audit events (uploads, commits, approvals, publications, definition, target, user and role changes, refusals)
# are stored in the database (indicators/audit_trail.py, shown at /audit/) and logged to "scorecard.audit".
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ValueError(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "scorecard.audit_log.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "scorecard.audit_log.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "scorecard.audit": {"level": "INFO"},
    },
}


# --- People and single sign-on (scorecard/people/, scorecard/sso.py) ---
# /people/ is its own small app so that its admin.py (only superusers edit users in the admin) is found.
INSTALLED_APPS += ["scorecard.people"]

# Single sign-on through OpenID Connect (Microsoft Entra ID) is on when OIDC_RP_CLIENT_ID is set. Off, nothing
# of it is loaded. On, local accounts still sign in with their passwords as before.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
# The role given to someone signing in for the first time; empty (the default): none, the MI team gives one.
OIDC_DEFAULT_ROLE = env_str("OIDC_DEFAULT_ROLE")
OIDC_OP_ISSUER = ""
if OIDC_ENABLED:
    from scorecard.roles import ROLE_PERMISSIONS

    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
    # OIDC_ENTRA_TENANT_ID gives every Entra ID (v2.0) endpoint; an endpoint set on its own wins.
    _tenant = env_str("OIDC_ENTRA_TENANT_ID")
    _entra = f"https://login.microsoftonline.com/{_tenant}" if _tenant else ""
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
        "OIDC_OP_AUTHORIZATION_ENDPOINT", f"{_entra}/oauth2/v2.0/authorize" if _entra else ""
    )
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", f"{_entra}/oauth2/v2.0/token" if _entra else "")
    OIDC_OP_USER_ENDPOINT = env_str(
        "OIDC_OP_USER_ENDPOINT", "https://graph.microsoft.com/oidc/userinfo" if _entra else ""
    )
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", f"{_entra}/discovery/v2.0/keys" if _entra else "")
    # ID tokens must come from this issuer (empty: not checked). "common" and "organizations" accept any
    # tenant, so only a single tenant's issuer is known in advance.
    OIDC_OP_ISSUER = env_str(
        "OIDC_OP_ISSUER",
        f"{_entra}/v2.0" if _tenant and _tenant not in ("common", "organizations", "consumers") else "",
    )
    _needed = [
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
    ] + (["OIDC_OP_JWKS_ENDPOINT"] if OIDC_RP_SIGN_ALGO[:2] in ("RS", "ES") else [])
    if _missing := [name for name in _needed if not globals()[name]]:
        raise RuntimeError(
            f"OIDC_RP_CLIENT_ID turns single sign-on on, which also needs {', '.join(_missing)} "
            "(or OIDC_ENTRA_TENANT_ID for Microsoft Entra ID)"
        )
    if OIDC_DEFAULT_ROLE and OIDC_DEFAULT_ROLE not in ROLE_PERMISSIONS:
        raise RuntimeError(f"OIDC_DEFAULT_ROLE must be one of {', '.join(ROLE_PERMISSIONS)}, not {OIDC_DEFAULT_ROLE!r}")
    # OIDC_CREATE_USER=false: only people the MI team added beforehand (with their email) can sign in.
    OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", True)
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)  # the library waits for ever by default
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
    INSTALLED_APPS += ["mozilla_django_oidc"]
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "scorecard.sso.ScorecardOIDCBackend"]
