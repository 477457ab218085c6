"""Designia settings: one module, driven by environment variables.

Every backing service has an embedded default so that `make run` works on a bare machine
(SQLite, in-memory channel layer, inline Celery, local media, console e-mail, dummy payment
gateway). Environment variables switch each part to its production counterpart; `.env.example`
documents every one of them.
"""

import ipaddress
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------------------------
DEFAULT_SECRET_KEY = "django-insecure-designia-development-only"  # noqa: S105 - refused when DEBUG=False
SECRET_KEY = env("SECRET_KEY", default=DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Base of every link sent out (verification, password reset, Stripe return URL).
FRONTEND_URL = env("FRONTEND_URL", default="http://localhost:5173").rstrip("/")
# Base of absolute URLs for files served by this server (local media, private downloads); unset:
# the request's scheme and host (http://localhost:8000 outside a request), infrastructure.storage.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "storages",
    "authentication",
    "marketplace",
    "payment_system",
    "chat",
    "ar",
    "notifications",
    "designiaBackend.outbox",  # tasks that must happen (designiaBackend.api.after_commit.must_happen)
    "infrastructure.backups",  # manage.py backup_create / backup_restore (make backup / restore)
]

MIDDLEWARE = [
    # First: every response (CORS preflights and errors included) carries X-Request-ID and is counted.
    "designiaBackend.observability.middleware.RequestIdMiddleware",
    "designiaBackend.observability.middleware.MetricsMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "infrastructure.storage.MediaBaseUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "designiaBackend.urls"
WSGI_APPLICATION = "designiaBackend.wsgi.application"
ASGI_APPLICATION = "designiaBackend.asgi.application"
AUTH_USER_MODEL = "authentication.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Notification texts and e-mails are rendered in the recipient's language (User.language).
LANGUAGES = [("en", "English"), ("pt", "Portuguese")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
USING_MYSQL = DATABASES["default"]["ENGINE"] == "django.db.backends.mysql"
USING_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if USING_MYSQL:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'",
            "isolation_level": "read committed",
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif USING_SQLITE:
    # Several threads (daphne, inline tasks) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})

# --- Redis: cache, channel layer, Celery broker -------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="designia")
if REDIS_URL:
    CACHES = {
        "default": {
            # Failures read as misses behind a short circuit breaker (designiaBackend/cache.py).
            "BACKEND": "designiaBackend.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub, one bounded queue per socket: designiaBackend/api/channel_layer.py.
            "BACKEND": "designiaBackend.api.channel_layer.BoundedPubSubChannelLayer",
            "CONFIG": {
                # redis-py refuses a command beyond its pool's 100 connections by default.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000),
                    }
                ],
                "prefix": f"{CACHE_KEY_PREFIX}:asgi",
                # Backpressure: events queued for one socket beyond this are dropped for it alone.
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=100),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# After a failed cache call, answer without the cache for this long before trying Redis again.
CACHE_CIRCUIT_OPEN_SECONDS = env.float("CACHE_CIRCUIT_OPEN_SECONDS", default=5.0)
# Throttle scopes that let requests through while the cache is down; the others answer 503.
# checkout: a per-user abuse limit; without Redis, buyers can still pay (sales are not refused).
THROTTLE_FAIL_OPEN_SCOPES = env.list("THROTTLE_FAIL_OPEN_SCOPES", default=["activity", "checkout"])

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
# Without a broker, tasks run inline in the calling process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Namespace for the broker's keys, so several deployments (or test runs) can share one Redis.
CELERY_KEY_PREFIX = env("CELERY_KEY_PREFIX", default="")
# Redis redelivers a task a worker took and never acknowledged (killed mid-run) after this many
# seconds: longer than any task's hard time limit and any retry countdown (designiaBackend/celery.py).
CELERY_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
    **({"global_keyprefix": CELERY_KEY_PREFIX} if CELERY_KEY_PREFIX else {}),
}
# The outbox relay sends a message again when it was relayed this long ago and is still not done
# (lost by the broker, or its worker killed); a message whose run failed this often stays for a person.
OUTBOX_REDELIVER_AFTER_MINUTES = env.int("OUTBOX_REDELIVER_AFTER_MINUTES", default=15)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# --- Storage ------------------------------------------------------------------------------------
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
USE_S3 = bool(AWS_STORAGE_BUCKET_NAME)
# Lifetime of presigned URLs for public media when the bucket is private (AWS_QUERYSTRING_AUTH).
MEDIA_URL_EXPIRE_SECONDS = env.int("MEDIA_URL_EXPIRE_SECONDS", default=6 * 3600)
# Lifetime of links to private files (GDPR exports, AR model downloads).
PRIVATE_URL_EXPIRE_SECONDS = env.int("PRIVATE_URL_EXPIRE_SECONDS", default=600)
if USE_S3:
    _s3_common = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "access_key": env("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
        "region_name": env("AWS_S3_REGION_NAME", default="us-east-1"),
        "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "media",
                # True: presigned URLs (private bucket); False: plain public-read bucket URLs.
                "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
                "querystring_expire": MEDIA_URL_EXPIRE_SECONDS,
                "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_common,
                "location": "private",
                "querystring_auth": True,
                "querystring_expire": PRIVATE_URL_EXPIRE_SECONDS,
            },
        },
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Local media is served by Django itself (the embedded default); S3/MinIO serves its own.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not USE_S3)

# --- AR models (ar app) ---------------------------------------------------------------------------
# Largest GLB/USDZ accepted (bytes), also the limit on a USDZ archive's uncompressed total.
AR_MODEL_MAX_SIZE = env.int("AR_MODEL_MAX_SIZE", default=50 * 1024 * 1024)

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Designia <no-reply@designia.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- CORS (contract §1.2): exact origin echo with credentials -------------------------------------
CORS_ALLOWED_ORIGINS = sorted(
    set(env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:5173", "http://localhost:5174"]))
    | {FRONTEND_URL}
)
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/(api|media)/.*$"
CORS_EXPOSE_HEADERS = ["X-Request-ID"]

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # JWT only: a session cookie from the admin never switches the API to session auth (and CSRF).
    "DEFAULT_AUTHENTICATION_CLASSES": ["authentication.jwt_authentication.ProfileJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "designiaBackend.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "designiaBackend.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Proxies in front of the app that append the client's address to X-Forwarded-For (Kong: 1).
    # 0 ignores the header: a client could otherwise pick its own address and dodge throttles.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    # Rates per scope; scopes are declared by the views (designiaBackend.api.throttling).
    "DEFAULT_THROTTLE_RATES": {
        "login": env("THROTTLE_LOGIN", default="20/min"),
        "login_account": env("THROTTLE_LOGIN_ACCOUNT", default="10/min"),
        "two_factor": env("THROTTLE_TWO_FACTOR", default="20/min"),
        "two_factor_account": env("THROTTLE_TWO_FACTOR_ACCOUNT", default="10/min"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="10/min"),
        "password_reset_account": env("THROTTLE_PASSWORD_RESET_ACCOUNT", default="5/min"),
        "register": env("THROTTLE_REGISTER", default="20/hour"),
        "activity": env("THROTTLE_ACTIVITY", default="600/min"),
        # Checkout sessions (E37 and its retry E39) per user: each may reserve stock and open a
        # payment-provider session.
        "checkout": env("THROTTLE_CHECKOUT", default="20/hour"),
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    # Contract §2.1: refresh tokens rotate; a spent one is honoured again only within
    # JWT_REFRESH_GRACE_SECONDS (parallel refreshes), later its login is revoked
    # (authentication.services.tokens).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": False,
    # Access tokens of a signed-out or revoked login are refused (authentication.tokens).
    "AUTH_TOKEN_CLASSES": ("authentication.tokens.FamilyAccessToken",),
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry a digest of the password hash: a password reset or change signs every
    # earlier access and refresh token out (401), on other devices and sockets too.
    "CHECK_REVOKE_TOKEN": True,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Seconds during which a just-rotated refresh token still answers with the same new pair.
JWT_REFRESH_GRACE_SECONDS = env.int("JWT_REFRESH_GRACE_SECONDS", default=10)

SPECTACULAR_SETTINGS = {
    "TITLE": "Designia API",
    "DESCRIPTION": "Marketplace for independent makers of furniture and design pieces.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "ENUM_NAME_OVERRIDES": {
        "ChatReportReasonEnum": "chat.models.MessageReport.Reason",
        "PayoutStatusEnum": "payment_system.connect.models.Payout.Status",
        "SellerTransactionStatusEnum": "payment_system.payments.models.SellerTransaction.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "designiaBackend.api.schema.add_error_responses",
    ],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Accounts -----------------------------------------------------------------------------------------
EMAIL_VERIFICATION_TTL_HOURS = env.int("EMAIL_VERIFICATION_TTL_HOURS", default=48)
VERIFICATION_CODE_TTL_MINUTES = env.int("VERIFICATION_CODE_TTL_MINUTES", default=10)
VERIFICATION_CODE_MAX_ATTEMPTS = env.int("VERIFICATION_CODE_MAX_ATTEMPTS", default=5)
VERIFICATION_CODE_RESEND_SECONDS = env.int("VERIFICATION_CODE_RESEND_SECONDS", default=60)
GOOGLE_OAUTH_CLIENT_ID = env("GOOGLE_OAUTH_CLIENT_ID", default="")
GOOGLE_JWKS_URL = env("GOOGLE_JWKS_URL", default="https://www.googleapis.com/oauth2/v3/certs")
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=10 * 1024 * 1024)
# Lifetime of the download link e-mailed with a GDPR data export.
# A chat message unread this long is included in the hourly unread-messages digest.
CHAT_DIGEST_AFTER_MINUTES = env.int("CHAT_DIGEST_AFTER_MINUTES", default=15)
# One-click unsubscribe links in notification e-mails stay valid this long.
NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS", default=60)
GDPR_EXPORT_URL_EXPIRE_SECONDS = env.int("GDPR_EXPORT_URL_EXPIRE_SECONDS", default=24 * 3600)
# One GDPR export per user per this many hours (each is a task, an archive and an e-mail): 429 before.
GDPR_EXPORT_INTERVAL_HOURS = env.int("GDPR_EXPORT_INTERVAL_HOURS", default=24)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Catalogue: product photos (content-validated; a thumbnail is made once at upload).
PRODUCT_IMAGE_MAX_BYTES = env.int("PRODUCT_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
PRODUCT_MAX_IMAGES = env.int("PRODUCT_MAX_IMAGES", default=10)
# Public catalogue lists are cached this long (0: off); any catalogue write invalidates them.
CATALOG_RESPONSE_CACHE_SECONDS = env.int("CATALOG_RESPONSE_CACHE_SECONDS", default=60)
# A list's or search's count is cached this long per filter set (0: off), under the same
# catalogue version, so the pages after the first of a filter set skip the COUNT(*).
CATALOG_COUNT_CACHE_SECONDS = env.int("CATALOG_COUNT_CACHE_SECONDS", default=300)
# Catalogue search (README "Search"): the database's full-text search by default; an
# OpenSearch/Elasticsearch engine with "marketplace.catalog.search.opensearch.OpenSearchBackend"
# (then SEARCH_OPENSEARCH_URL, and `manage.py search_reindex` to build its index).
SEARCH_BACKEND = env("SEARCH_BACKEND", default="marketplace.catalog.search.backends.DatabaseSearchBackend")
SEARCH_OPENSEARCH_URL = env("SEARCH_OPENSEARCH_URL", default="")
SEARCH_OPENSEARCH_INDEX = env("SEARCH_OPENSEARCH_INDEX", default="designia-products")  # an alias
SEARCH_OPENSEARCH_MAX_HITS = env.int("SEARCH_OPENSEARCH_MAX_HITS", default=1000)
SEARCH_OPENSEARCH_TIMEOUT_SECONDS = env.float("SEARCH_OPENSEARCH_TIMEOUT_SECONDS", default=2.0)
# Product forms send photos as base64 data URLs inside JSON (contract E48/E49): allow bodies
# large enough for several photos; file uploads (multipart) stream to disk regardless.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=50 * 1024 * 1024)

# --- Chat ---------------------------------------------------------------------------------------------
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=5000)
CHAT_IMAGE_MAX_BYTES = env.int("CHAT_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
# Messages one user may send in any sliding window, over the socket and REST together ("30/min", "20/10s").
CHAT_MESSAGE_RATE = env("CHAT_MESSAGE_RATE", default="30/min")
# A socket whose client has not taken a frame for this long is disconnected (1008).
WEBSOCKET_SEND_TIMEOUT_SECONDS = env.float("WEBSOCKET_SEND_TIMEOUT_SECONDS", default=10.0)
# Minimum seconds between two typing indicators relayed from one connection.
CHAT_TYPING_INTERVAL_SECONDS = env.float("CHAT_TYPING_INTERVAL_SECONDS", default=1.0)

# --- Payments -----------------------------------------------------------------------------------------
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="dummy")  # "dummy" | "stripe"
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")  # e.g. a stripe-mock server
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_APPLICATION_FEE_PERCENT = Decimal(env("STRIPE_APPLICATION_FEE_PERCENT", default="10"))
PAYMENT_HOLD_DAYS = env.int("PAYMENT_HOLD_DAYS", default=7)
PAYMENT_TIMEOUT_DAYS = env.int("PAYMENT_TIMEOUT_DAYS", default=3)
# The share of its time the hourly payment-timeout sweep works: below 1 it pauses after each batch
# in proportion (0.75: a third of the batch's time). 1 (no pause) by default: on 2 cores 0.75
# measured no better API latency during the sweep than 1.0 (bench/RESULTS.md, 2026-12-06).
PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE = env.float("PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE", default=1.0)
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="USD")

# --- Exchange rates (payment_system.rates; fetched nightly by a Celery task, never per request) ----
# fixed: built-in table (no network) | ecb: ECB daily XML (base EUR) | http: JSON API at the URL
EXCHANGE_RATES_PROVIDER = env("EXCHANGE_RATES_PROVIDER", default="fixed" if DEBUG else "ecb")
EXCHANGE_RATES_URL = env(
    "EXCHANGE_RATES_URL", default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
)
EXCHANGE_RATES_BASE = env("EXCHANGE_RATES_BASE", default="EUR")  # the http provider's base
# An answer missing any of these is refused as a whole (the stored rates stay as they are).
EXCHANGE_RATES_CURRENCIES = env.list(
    "EXCHANGE_RATES_CURRENCIES", default=["USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "DKK", "PLN"]
)
EXCHANGE_RATES_TIMEOUT_SECONDS = env.float("EXCHANGE_RATES_TIMEOUT_SECONDS", default=10.0)
EXCHANGE_RATES_HTTP_RETRIES = env.int("EXCHANGE_RATES_HTTP_RETRIES", default=2)
EXCHANGE_RATE_HISTORY_DAYS = env.int("EXCHANGE_RATE_HISTORY_DAYS", default=90)

# --- Cart pricing, orders and returns ---------------------------------------------------------------
# The default shipping profile: per seller group of an order, below the threshold.
SHIPPING_FLAT_RATE = Decimal(env("SHIPPING_FLAT_RATE", default="25.00"))
FREE_SHIPPING_THRESHOLD = Decimal(
    env("FREE_SHIPPING_THRESHOLD", default="500.00")
)  # subtotal; 0 = never free
# Tax (marketplace/tax/): TAX_PROVIDER "table" computes it here (the rules below) and sends it to
# Stripe as line items; "stripe" lets Stripe Tax compute it on the Checkout Session (automatic tax)
# and the order keeps what Stripe reports when the payment completes.
TAX_PROVIDER = env("TAX_PROVIDER", default="table")
if TAX_PROVIDER not in ("table", "stripe"):
    raise ImproperlyConfigured(f"TAX_PROVIDER must be 'table' or 'stripe', not {TAX_PROVIDER!r}.")
# Tax by destination (the table): EU countries from the VatRate table (admin); others from TAX_RATES
# ("US=0,CH=0.081", fractions); a country with no rule (or none known yet) pays TAX_DEFAULT_RATE on
# the items: 0 unless set (the old TAX_RATE variable is still read as its value).
TAX_DEFAULT_RATE = Decimal(env("TAX_DEFAULT_RATE", default=env("TAX_RATE", default="0")))
TAX_RATES = {code.strip().upper(): Decimal(rate) for code, rate in env.dict("TAX_RATES", default={}).items()}
# True: a shipping country with no rule (not in the table nor TAX_RATES) is refused (400 no_tax_rule).
TAX_REFUSE_UNKNOWN_COUNTRIES = env.bool("TAX_REFUSE_UNKNOWN_COUNTRIES", default=False)
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)  # after delivery
ORDER_AUTO_DELIVER_DAYS = env.int("ORDER_AUTO_DELIVER_DAYS", default=14)  # after shipping
# Checkout holds the stock this long; the Stripe session lives as long (Stripe: 30..1440).
STOCK_RESERVATION_MINUTES = env.int("STOCK_RESERVATION_MINUTES", default=30)
CHECKOUT_SHIPPING_COUNTRIES = env.list(
    "CHECKOUT_SHIPPING_COUNTRIES", default=["US", "CA", "GB", "IE", "FR", "DE", "ES", "PT", "IT", "NL", "BE"]
)
# Where a buyer ships to when they give no country and neither their profile nor a paid order says:
# the cart and the checkout are priced for it and the payment page offers only it.
DEFAULT_SHIPPING_COUNTRY = env("DEFAULT_SHIPPING_COUNTRY", default="PT").strip().upper()

# --- Logging ------------------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# "json" (one object per line, with request_id/trace_id/span_id) or "text"; JSON unless DEBUG.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "designiaBackend.observability.logs.ContextFilter"},
        "redact": {"()": "designiaBackend.observability.logs.RedactingFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "designiaBackend.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default "django" handler would print a second, unfiltered copy: use the root one.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Metrics and tracing (designiaBackend.observability) -------------------------------------------------
# GET /metrics is served to a request with "Authorization: Bearer <METRICS_TOKEN>" or from an address
# in METRICS_ALLOWED_NETWORKS (CIDRs); refused (403) otherwise, absent (404) when both are empty.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {_error}") from None
# A Celery worker serves its own /metrics on this port (0: off). Multi-process mode (prefork pools,
# gunicorn, several daphne processes) needs PROMETHEUS_MULTIPROC_DIR, read by prometheus_client.
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
# Tracing is configured by the standard OTEL_* variables only (see observability/tracing.py).

# --- Security headers (SecurityMiddleware; CSP by django-csp) --------------------------------------------
# HSTS, the HTTPS redirect and secure cookies are set with DEBUG=False (production guard below).
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", default="strict-origin-when-cross-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = env("SECURE_CROSS_ORIGIN_OPENER_POLICY", default="same-origin")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every response: the admin and the API need nothing but this origin. The Swagger page adds its
# CDN (designiaBackend/urls.py, SWAGGER_CSP).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Backups (make backup / make restore; infrastructure/backups) ----------------------------------------
BACKUP_DIR = env("BACKUP_DIR", default=str(BASE_DIR / "backups"))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)  # archives kept in BACKUP_DIR (one a day: two weeks)

# --- Production guard ------------------------------------------------------------------------------------
if not DEBUG:
    _problems = []
    if SECRET_KEY == DEFAULT_SECRET_KEY:
        _problems.append("SECRET_KEY is the development default")
    if USING_SQLITE:
        _problems.append("the database is SQLite (set DATABASE_URL)")
    if CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer":
        _problems.append("the channel layer is in-memory (set REDIS_URL)")
    if PAYMENT_GATEWAY == "dummy":
        _problems.append("the payment gateway is the dummy one (set PAYMENT_GATEWAY=stripe)")
    if _problems:
        raise ImproperlyConfigured("Refusing to start with DEBUG=False: " + "; ".join(_problems) + ".")
    # The header (WSGI name) and value by which the proxy in front (Kong) marks an HTTPS request;
    # empty: trust no header (TLS ends at this server). Only a proxy that overwrites it may be named.
    _proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=["HTTP_X_FORWARDED_PROTO", "https"])
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks and scrapes reach the app over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^api/health/", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # Preload is a one-way commitment of the whole domain: off unless asked for (SECURE_HSTS_PRELOAD).
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
