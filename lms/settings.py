"""Lumen settings: every value comes from the environment, read here and nowhere else.

With nothing set, Lumen runs on embedded defaults (SQLite, local-memory cache, in-memory channel
layer, eager Celery). `DJANGO_ENV=production` only tightens: it requires real secrets and turns on
HSTS, secure cookies and the Content Security Policy. See the README for the table of variables.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a developer convenience only; production reads the real environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

# pytest-django imports these settings before any conftest.py runs, so a test run is recognised
# here: running pytest directly then behaves exactly like `make test`.
DJANGO_ENV = env.str("DJANGO_ENV", default="test" if "pytest" in sys.modules else "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise environ.ImproperlyConfigured(
        f"DJANGO_ENV must be development, production or test, not {DJANGO_ENV!r}."
    )
IS_PRODUCTION = DJANGO_ENV == "production"
IS_TEST = DJANGO_ENV == "test"

# --- Core -----------------------------------------------------------------------------------------
if IS_PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # required: production refuses to start without it
else:
    SECRET_KEY = env.str(
        "SECRET_KEY",
        default="django-insecure-development-only-key-never-use-in-production-0123456789",
    )
DEBUG = False if IS_PRODUCTION else env.bool("DEBUG", default=DJANGO_ENV == "development")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORT = env.int("PORT", default=8000)
SITE_ID = 1
SITE_NAME = "Lumen"

INSTALLED_APPS = [
    "daphne",  # runserver with Channels (ASGI) support
    "accounts.apps.LumenAdminConfig",  # django.contrib.admin, every change audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # third party
    "channels",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "djstripe",
    # Lumen
    "core",
    "accounts",
    "courses",
    "gamification",
    "learning",
    "notifications",
    "qa",
    "ai_tools",
    "billing",
    "analytics",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireStaffMfaMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
ASGI_APPLICATION = "lms.asgi.application"

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
                "core.context_processors.site",
                "notifications.context_processors.unread",
                "learning.context_processors.learning_mode",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let concurrent writers wait for each other instead of failing;
    # the test database is a file (not :memory:) so that threads and subprocesses share it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # One file per test process so parallel runs (and xdist workers, which add a suffix) never
    # share one.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"lumen-test-{os.getpid()}.sqlite3")
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env.bool("DATABASE_POOL", default=True):
        # psycopg 3's pool: connections are shared by the ASGI server's threads and health-checked.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
                "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
            }
        }
        # Django then has the pool check each connection before lending it, so connections that
        # a PostgreSQL restart (or failover) broke are replaced instead of failing requests.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An optional PostgreSQL read replica (streaming replication of DATABASE_URL): safe requests
# read from it, everything else uses the primary; see core/db_router.py for the rules that keep
# a learner reading their own writes.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **{key: value for key, value in DATABASES["default"].items() if key != "TEST"},
        **env.db("DATABASE_REPLICA_URL"),
        # Tests run the replica as a mirror of the test database, not a database of its own.
        "TEST": {"MIRROR": "default"},
    }
    for key in ("OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if key in DATABASES["default"]:
            DATABASES["replica"][key] = DATABASES["default"][key]
    DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, channel layer, Celery: Redis when REDIS_URL is set --------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="lumen")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 gives up on a read after 5 s by default, exactly as long as the
                # layer's blocking receive (BZPOPMIN) waits on an idle channel: the read timed
                # out first and the error closed the socket of the consumer holding the receive
                # (one live socket per worker every 5 s). Reads may now take 15 s.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": f"{CACHE_KEY_PREFIX}:channels",
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "lumen",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
# Without a broker, tasks run in-process so the embedded default needs no worker. Tests run them
# in-process too (there is no worker), also when REDIS_URL points the broker at a real Redis.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=IS_TEST or not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a job whose worker died unacknowledged goes back to the queue: at once when
# only the pool process died (reject_on_worker_lost), and on Redis after the visibility timeout
# when the whole worker died (another worker's sweep re-queues it). The timeout must outlast the
# longest task (TIME_LIMIT) and the longest retry countdown, or a live job is delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Periodic tasks (`celery -A lms beat`); each app adds its entries here.
CELERY_BEAT_SCHEDULE = {
    "qa-daily-digests": {
        "task": "qa.digests_send",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "qa-weekly-digests": {
        "task": "qa.digests_send",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
        "args": ("weekly",),
    },
    "qa-removed-raters-reverse": {
        "task": "qa.removed_raters_reverse",
        "schedule": crontab(minute=15),
    },
    # qa: refund the bounties whose week ended without an accepted answer.
    "qa-bounties-settle": {
        "task": "qa.bounties_settle",
        "schedule": crontab(minute=25),
    },
    # gamification: settle last week's boards into history on Monday morning (UTC).
    "gamification-weekly-boards": {
        "task": "gamification.weekly_boards_settle",
        "schedule": crontab(hour=0, minute=10, day_of_week="mon"),
    },
    # gamification: settle last week's league cohorts (promotion and demotion), Monday morning.
    "gamification-weekly-leagues": {
        "task": "gamification.leagues_settle",
        "schedule": crontab(hour=0, minute=20, day_of_week="mon"),
    },
    # gamification: zero broken streaks hourly (every time zone's midnight comes on the hour).
    "gamification-streaks-check": {
        "task": "gamification.streaks_check",
        "schedule": crontab(minute=5),
    },
}

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# `manage.py seed_demo` runs these after creating the demo accounts (each is idempotent).
DEMO_SEEDERS = ["courses.demo.seed_courses_demo", "qa.demo.seed_qa_demo"]
# `seed_load`'s stages, in order (each takes a core.bulk.LoadContext).
LOAD_SEEDERS = [
    "accounts.load.seed_users",
    "courses.load.seed_courses",
    "courses.load.seed_progress",
    "gamification.load.seed_xp",
    "qa.load.seed_questions",
]
# Pieces satellite apps add to the core's pages (dotted paths; see courses.views._panels).
PLAYER_PANELS = ["learning.panels.player_mode", "ai_tools.panels.player_lesson_tools"]
DASHBOARD_PANELS = [
    "learning.panels.dashboard_reviews",
    "learning.panels.dashboard_mode",
    "analytics.panels.dashboard_week",
    "ai_tools.panels.dashboard_skill_gaps",
]
# Answers other apps know of, for ai_tools' skill-gap analysis: functions (user, course) ->
# {quiz question id: [recalled?, ...]} (learning's reviews and challenge answers).
SKILL_EVIDENCE_SOURCES = ["learning.skills.review_outcomes"]
COURSE_PANELS = ["notifications.panels.course_instructors"]
# How long the catalog's cached facets and anonymous results may lag a change made without a save
# (enrollment counts, ratings); saves invalidate at once (courses.catalog_cache). 0: no cache.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=60)
# How long the total of a long list (the Q&A lists) may lag its rows (core.pagination).
LIST_COUNT_CACHE_SECONDS = env.int("LIST_COUNT_CACHE_SECONDS", default=60)
# What the course and lesson pages read about their signed-in viewer, joined to the course's own
# query and to its instructors' (courses.selectors.course_get_for_learner): fn(queryset, user).
COURSE_VIEWER_LOADERS = ["learning.selectors.course_with_viewer_mode"]
COURSE_INSTRUCTOR_LOADERS = ["notifications.selectors.instructors_with_follow"]
# Sections other apps add to the profile API (accounts nests them without importing the apps).
PROFILE_API_EXTENSIONS = {"learning": "learning.api.profile.LearningProfileSerializer"}
# Counts other apps give gamification's badges from their own tables (functions of a user
# returning {metric: count}; see gamification.selectors.achievement_metrics).
ACHIEVEMENT_METRIC_SOURCES = [
    "learning.selectors.achievement_counts",
    "qa.selectors.achievement_counts",
]
# A user's data, app by app (accounts.privacy calls them without importing the apps): each
# exporter returns its JSON section of the download; the erasers run in order when the user
# deletes their account (billing first: it refuses while a subscription would still renew).
USER_DATA_EXPORTERS = {
    "courses": "courses.privacy.user_data_export",
    "gamification": "gamification.privacy.user_data_export",
    "learning": "learning.privacy.user_data_export",
    "notifications": "notifications.privacy.user_data_export",
    "qa": "qa.privacy.user_data_export",
    "ai_tools": "ai_tools.privacy.user_data_export",
    "billing": "billing.privacy.user_data_export",
    "analytics": "analytics.services.user_analytics_export",
}
USER_DATA_ERASERS = [
    "billing.privacy.user_data_erase",
    "courses.privacy.user_data_erase",
    "gamification.privacy.user_data_erase",
    "learning.privacy.user_data_erase",
    "notifications.privacy.user_data_erase",
    "qa.privacy.user_data_erase",
    "ai_tools.privacy.user_data_erase",
    "analytics.services.user_analytics_delete",
]
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's, loading a session's user with REQUEST_USER_LOADERS (accounts.backends)
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
# What the pages read about the signed-in user, joined to the one query that loads them.
REQUEST_USER_LOADERS = [
    "accounts.selectors.request_user_with_totp",
    "notifications.selectors.request_user_with_unread_count",
    "learning.selectors.request_user_with_preference",
    "billing.selectors.request_user_with_plan_rank",
    "gamification.selectors.request_user_with_stats",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if IS_TEST:
    # Hashing dominates test time; the real hasher is exercised everywhere else.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# allauth: 10 failed logins a minute per IP, 5 per 5 minutes per account; kept in the cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# TOTP is required for instructors and admins; development may relax it for the demo accounts.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=DJANGO_ENV != "development")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lumen <no-reply@lumen.localhost>")

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.LumenJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "core.query.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserRateThrottle",
        "core.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="100/min"),
        "anon": env.str("API_THROTTLE_ANON", default="30/min"),
    },
    # How many proxies in front of Lumen append to X-Forwarded-For. With 0 the anonymous rate is
    # keyed on the peer address; otherwise a caller could send a new X-Forwarded-For each time.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Request bodies are JSON (typed as the schema says: core.serializers); the two upload
    # endpoints (profile avatar, course cover) add multipart themselves. Another type is a 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SECRET", default=SECRET_KEY),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="lumen-api"),
    "ISSUER": env.str("JWT_ISSUER", default="lumen"),
    "LEEWAY": 5,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    # Tokens carry a hash of the password hash: a password change revokes every earlier token.
    "CHECK_REVOKE_TOKEN": True,
    "REVOKE_TOKEN_CLAIM": "pwd",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lumen API",
    "DESCRIPTION": (
        "The Lumen learning platform's REST API. Authenticate with a JWT access token "
        "(`Authorization: Bearer <access>`) from `/api/v1/auth/login`. Every error has the shape "
        '`{"error": {"code", "message", "fields"}}`. Each user may make 100 requests a minute.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "core.roles.Role",
        "CourseStatusEnum": "courses.models.Course.Status",
        "CoursePlanEnum": "courses.models.Course.Plan",
        "TeacherApplicationStatusEnum": "accounts.models.TeacherApplication.Status",
        "LessonKindEnum": "courses.models.Lesson.Kind",
        "QuestionKindEnum": "courses.models.Question.Kind",
        "QaQuestionStatusEnum": "qa.models.Question.Status",
        "QaCloseReasonEnum": "qa.models.Question.CloseReason",
        "QaFlagReasonEnum": "qa.models.Flag.Reason",
        "QaFlagStatusEnum": "qa.models.Flag.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
    ],
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")  # e.g. https://cdn.example.com/media/
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Django serves uploads itself (with Range requests for video seeking) outside production only.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not IS_PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads go to S3-compatible object storage (AWS, MinIO, R2, ...) through django-storages when a
# bucket is named; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (read by boto3).
# AWS_S3_CUSTOM_DOMAIN puts a CDN in front; files are then served from there, not from MEDIA_URL.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN or None,
            "location": env.str("AWS_LOCATION", default="media"),
            # Public-read content (covers, lesson videos) gets plain URLs a CDN can cache;
            # set AWS_QUERYSTRING_AUTH=true for a private bucket with signed, expiring URLs.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# django-csp 4: the policy is enforced in production and reported only elsewhere, so development
# sees violations in the console without being blocked by them.
# Uploads may live on a CDN (an absolute MEDIA_URL), and a lesson may play a video from any
# https host (Lesson.video_url): media can come from those, never scripts.
_MEDIA_ORIGINS = (
    [MEDIA_URL.split("/", 3)[0] + "//" + MEDIA_URL.split("/", 3)[2]]
    if (MEDIA_URL.startswith(("http://", "https://")))
    else []
)
if AWS_STORAGE_BUCKET_NAME:
    _MEDIA_ORIGINS.append(
        f"https://{AWS_S3_CUSTOM_DOMAIN}"
        if AWS_S3_CUSTOM_DOMAIN
        else (AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com")
    )
_CSP_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "media-src": ["'self'", "blob:", "https:", *_MEDIA_ORIGINS],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if IS_PRODUCTION:
    CONTENT_SECURITY_POLICY = _CSP_POLICY
else:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP_POLICY

# --- Logging: JSON lines with the request id ------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DJANGO_ENV == "development" else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "console": {
            "format": (
                "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"
            )
        },
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Lumen ----------------------------------------------------------------------------------------
DEEPSEEK_API_KEY = env.str("DEEPSEEK_API_KEY", default="")
DEEPSEEK_BASE_URL = env.str("DEEPSEEK_BASE_URL", default="https://api.deepseek.com")
DEEPSEEK_MODEL = env.str("DEEPSEEK_MODEL", default="deepseek-chat")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
READINESS_TIMEOUT_SECONDS = env.float("READINESS_TIMEOUT_SECONDS", default=2.0)

# --- billing --------------------------------------------------------------------------------------
# STRIPE_SECRET_KEY / STRIPE_PUBLISHABLE_KEY / STRIPE_WEBHOOK_SECRET are read above.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
# dj-stripe mirrors Stripe's objects from webhook events; billing's receivers turn them into access.
STRIPE_LIVE_MODE = STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
DJSTRIPE_SUBSCRIBER_CUSTOMER_KEY = "djstripe_subscriber"
if STRIPE_API_BASE != "https://api.stripe.com":
    STRIPE_API_HOST = STRIPE_API_BASE  # dj-stripe's name for the same thing (a local stripe-mock)
if IS_TEST and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # On SQLite dj-stripe's 2.10 migration rebuilds each of its ~60 tables in turn (minutes per
    # test database), so tests create them straight from its models. Not on PostgreSQL, where
    # unmigrated tables are made before accounts_user, which dj-stripe's customers point to.
    MIGRATION_MODULES = {"djstripe": None}
BILLING_GRACE_PERIOD_DAYS = env.int("BILLING_GRACE_PERIOD_DAYS", default=7)
BILLING_EARLY_ACCESS_PLAN = env.str("BILLING_EARLY_ACCESS_PLAN", default="premium")
# The lowest plan that includes the AI study tools (each plan then has its own daily AI quota).
BILLING_AI_TOOLS_PLAN = env.str("BILLING_AI_TOOLS_PLAN", default="pro")
if BILLING_AI_TOOLS_PLAN not in {"basic", "pro", "premium"}:
    raise environ.ImproperlyConfigured("BILLING_AI_TOOLS_PLAN must be basic, pro or premium.")
BILLING_REFUND_WINDOW_DAYS = env.int("BILLING_REFUND_WINDOW_DAYS", default=30)
BILLING_INSTRUCTOR_SHARE_PERCENT = env.int("BILLING_INSTRUCTOR_SHARE_PERCENT", default=50)
AFFILIATE_COMMISSION_PERCENT = env.float("AFFILIATE_COMMISSION_PERCENT", default=20.0)
AFFILIATE_COOKIE_DAYS = env.int("AFFILIATE_COOKIE_DAYS", default=30)
if "replica" in DATABASES:
    MIDDLEWARE.insert(1, "core.db_router.ReplicaReadsMiddleware")
MIDDLEWARE += ["billing.middleware.ReferralCookieMiddleware"]  # the ?ref= affiliate cookie
# Level-up and badge toasts for the page action that earned them (gamification).
MIDDLEWARE += ["gamification.celebrations.CelebrationMiddleware"]
# Checkout and the customer portal are Stripe's pages: our forms redirect there after a POST, which
# the CSP's form-action must allow (Chromium applies it to the redirect).
_CSP_POLICY["DIRECTIVES"]["form-action"] += [
    "https://checkout.stripe.com",
    "https://billing.stripe.com",
]
# Daily: affiliate commissions whose refund window has closed become payable.
CELERY_BEAT_SCHEDULE["billing-release-commissions"] = {
    "task": "billing.release_commissions",
    "schedule": crontab(hour=3, minute=30),
}
# Hourly: Stripe erasures of deleted accounts that no task is retrying are sent again.
CELERY_BEAT_SCHEDULE["billing-stripe-erasures-resend"] = {
    "task": "billing.stripe_erasures_resend",
    "schedule": crontab(minute=17),
}
# --- ai_tools -------------------------------------------------------------------------------------
# "auto": DeepSeek when a key is set; "local": always the offline provider.
AI_PROVIDER = env.str("AI_PROVIDER", default="auto")
# Fuse BM25 with embeddings when the semantic extra (requirements-ai.txt) is installed.
AI_SEMANTIC_SEARCH = env.bool("AI_SEMANTIC_SEARCH", default=True)
DEEPSEEK_TIMEOUT_SECONDS = env.float("DEEPSEEK_TIMEOUT_SECONDS", default=30.0)
DEEPSEEK_MAX_RETRIES = env.int("DEEPSEEK_MAX_RETRIES", default=2)
DEEPSEEK_BACKOFF_SECONDS = env.float("DEEPSEEK_BACKOFF_SECONDS", default=1.0)
# AI requests a learner may make per day, by plan (billing's plan names; basic until billing says).
AI_DAILY_QUOTAS = {
    "basic": env.int("AI_DAILY_QUOTA_BASIC", default=50),
    "pro": env.int("AI_DAILY_QUOTA_PRO", default=200),
    "premium": env.int("AI_DAILY_QUOTA_PREMIUM", default=1000),
}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["ai"] = env.str("API_THROTTLE_AI", default="20/min")
# AI requests a user may make per clock minute on any interface (pages, socket, API).
AI_REQUESTS_PER_MINUTE = env.int("AI_REQUESTS_PER_MINUTE", default=20)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "AIGenerationStatusEnum": "ai_tools.models.GenerationStatus",
        "PracticeDifficultyEnum": "ai_tools.providers.base.DIFFICULTIES",
        "CourseDifficultyEnum": "courses.models.Course.Difficulty",
    }
)
# --- analytics ------------------------------------------------------------------------------------
# Raw events older than this are purged nightly; the daily facts (counts) are kept.
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=395)
ANALYTICS_STUCK_DAYS = env.int("ANALYTICS_STUCK_DAYS", default=7)
# Queries slower than this are logged to `lumen.slow_query` and counted in /metrics.
SLOW_QUERY_MS = env.int("SLOW_QUERY_MS", default=500)
# /metrics: `Authorization: Bearer <METRICS_TOKEN>` or a staff session; open without a token only
# outside production.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
MIDDLEWARE.insert(1, "analytics.monitoring.MetricsMiddleware")
# learning: re-fit FSRS parameters for learners whose review log has grown (optional extra).
CELERY_BEAT_SCHEDULE["learning-fsrs-optimize"] = {
    "task": "learning.fsrs_optimize_due_learners",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["analytics-rollup"] = {
    "task": "analytics.rollup_recent_days",
    "schedule": 15 * 60,  # every 15 minutes: today and yesterday, so dashboards lag little
}
CELERY_BEAT_SCHEDULE["analytics-purge"] = {
    "task": "analytics.purge_expired_events",
    "schedule": 24 * 60 * 60,
}
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=DJANGO_ENV,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )

# --- security and reliability ---------------------------------------------------------------------
# With Redis down the cache answers misses instead of raising (sessions in the cache are lost,
# so visitors are signed out; pages and the JWT API keep serving); rate limits fail open
# (core/throttling.py); /readyz reports the cache as failed.
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- notifications: web push (VAPID) --------------------------------------------------------------
# The key pair is generated once and kept in the environment; without it push is off and everything
# else works. The public key is base64url of the uncompressed P-256 point, the private key
# base64url of the raw 32-byte key (or a PEM/DER key).
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:admin@lumen.localhost")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["NotificationKindEnum"] = "notifications.models.Kind"
