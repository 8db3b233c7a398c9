"""
Settings for the RMA portal: one module, every value from the environment.

Without any environment the portal runs on embedded defaults that need no service:
SQLite under ``var/``, media under ``var/media/``, emails as files under ``var/mail/``,
Celery tasks run eagerly and Django's database cache. Production sets ``DATABASE_URL``,
``REDIS_URL``, SMTP, S3 and ``DJANGO_SECRET_KEY``; the README lists every variable.
"""

from decimal import Decimal
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlparse

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("RMA_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for a local, non-production run)."
        )
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets the portal's page, with a way back to it.
CSRF_FAILURE_VIEW = "rma_portal.errors.csrf_failure"
# The public address of the portal, used for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin with django-otp's second factor (accounts.admin_site.PortalAdminSite).
    "accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_email",
    "csp",
    "django_countries",
    "storages",
    "accounts",
    "rma",
    "payments",
    # The project itself: project-wide commands (seed_demo), no models.
    "rma_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rma_portal.request_checks.RefuseUnstorableInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AccountLanguageMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.permission_cache.PermissionCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "rma_portal.security_headers.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "rma_portal.urls"
WSGI_APPLICATION = "rma_portal.wsgi.application"

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
                "rma_portal.context_processors.portal",
                "rma_portal.page_cache.csrf_placeholder",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    if DATABASE_URL.split("://", 1)[0] not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            "DATABASE_URL could not be parsed: expected postgres://user:password@host:port/name."
        )
    try:
        DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from exc
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # Wait for a lock instead of failing, and take the write lock up front so
                # two processes (web and a worker) never trip "database is locked".
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": VAR_DIR / "test-db.sqlite3"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache, sessions --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The database cache: the local default, and where rate limits and the sign-in cooldown
# are counted while Redis cannot be reached (rma_portal.cache.on_shared_cache).
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rma_cache"}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "rma_portal.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rma",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        },
        "database": DATABASE_CACHE,
    }
else:
    CACHES = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}

# Sessions live in the database, shared by every web process. With Redis they are read
# through it (accounts.sessions), and a Redis outage falls back to the database.
SESSION_ENGINE = "accounts.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)
# The age above is an idle timeout: accounts.middleware.IdleSessionMiddleware renews a
# signed-in session when it was last written more than this many seconds ago.
SESSION_TOUCH_INTERVAL = 60
# However busy, a session ends this long after sign-in; staff sessions sooner.
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=12 * 60 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=8 * 60 * 60)
# Seconds a rendered customer page (/rma/, /rma/<number>/) may be served from the cache;
# any change to the customer's data retires it at once (rma_portal.page_cache). 0 turns it off.
CUSTOMER_PAGE_CACHE_SECONDS = env.int("CUSTOMER_PAGE_CACHE_SECONDS", default=300 if REDIS_URL else 0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Authentication ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "rma:case_list"

# Customer sign-in codes (the FAQ promises 15 minutes; ASVS suggests 10).
LOGIN_CODE_VALIDITY = env.int("LOGIN_CODE_VALIDITY", default=15 * 60)
LOGIN_CODE_COOLDOWN = env.int("LOGIN_CODE_COOLDOWN", default=60)
LOGIN_CODE_MAX_FAILURES = env.int("LOGIN_CODE_MAX_FAILURES", default=5)
LOGIN_SENDS_PER_IP_PER_HOUR = env.int("LOGIN_SENDS_PER_IP_PER_HOUR", default=20)
LOGIN_VERIFIES_PER_IP_PER_HOUR = env.int("LOGIN_VERIFIES_PER_IP_PER_HOUR", default=50)
# Wrong codes for one address, across all its codes and browsers (accounts.guesses): free
# ones, then waits from the first wait doubling up to an hour, and a cap per day.
LOGIN_ADDRESS_FAILURES_BEFORE_WAIT = env.int("LOGIN_ADDRESS_FAILURES_BEFORE_WAIT", default=10)
LOGIN_ADDRESS_FIRST_WAIT = env.int("LOGIN_ADDRESS_FIRST_WAIT", default=60)
LOGIN_ADDRESS_MAX_FAILURES_PER_DAY = env.int("LOGIN_ADDRESS_MAX_FAILURES_PER_DAY", default=30)
OTP_EMAIL_TOKEN_VALIDITY = LOGIN_CODE_VALIDITY
OTP_EMAIL_COOLDOWN_DURATION = LOGIN_CODE_COOLDOWN
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="")  # empty: the portal's name (below)
# Staff sign-in to the admin (accounts.staff_sign_in): wrong tries in a row before an
# address is locked out, for how long, and failures allowed per client IP per hour.
STAFF_SIGN_IN_MAX_FAILURES = env.int("STAFF_SIGN_IN_MAX_FAILURES", default=5)
STAFF_SIGN_IN_COOL_OFF = env.int("STAFF_SIGN_IN_COOL_OFF", default=15 * 60)
STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR = env.int("STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR", default=20)
# Failures of one staff address a day from browsers it never signed in from; past it only
# the browsers it signed in from before are checked (NIST SP 800-63B: at most 100).
STAFF_SIGN_IN_ACCOUNT_FAILURES_PER_DAY = env.int("STAFF_SIGN_IN_ACCOUNT_FAILURES_PER_DAY", default=100)
# A signed cookie naming the browser, and the staff it signed in, for the limits above.
STAFF_BROWSER_COOKIE_NAME = "staffbrowser"
# The sign-in waiting for its code, signed, in the browser that asked (accounts.views).
LOGIN_PENDING_COOKIE_NAME = "signin"
# Only on a local DEBUG run may staff reach the admin without a TOTP code.
STAFF_TOTP_REQUIRED = env.bool("STAFF_TOTP_REQUIRED", default=not DEBUG)
if not STAFF_TOTP_REQUIRED and not DEBUG:
    raise ImproperlyConfigured("STAFF_TOTP_REQUIRED may be turned off only when DJANGO_DEBUG is on.")
# The number of proxies in front of the app whose X-Forwarded-For entries are trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Retries of the sign-in code email on SMTP errors: exponential back-off from this many
# seconds, capped; the message itself expires with the code.
LOGIN_EMAIL_RETRY_BACKOFF = env.int("LOGIN_EMAIL_RETRY_BACKOFF", default=5)
LOGIN_EMAIL_RETRY_BACKOFF_MAX = env.int("LOGIN_EMAIL_RETRY_BACKOFF_MAX", default=30)
LOGIN_EMAIL_MAX_RETRIES = env.int("LOGIN_EMAIL_MAX_RETRIES", default=12)
# A request for a code that no worker has taken this many seconds after "Send Code" (the
# broker lost it, or the worker that took it died) is handed to the broker again.
LOGIN_CODE_RELAY_AFTER = env.int("LOGIN_CODE_RELAY_AFTER", default=15)

# --- Email ------------------------------------------------------------------------------
# The sender customers see on every email: the warranty team's name and address.
WARRANTY_TEAM_SENDER_NAME = env.str("WARRANTY_TEAM_SENDER_NAME", default="Warranty Team")
WARRANTY_TEAM_SENDER_ADDRESS = env.str("WARRANTY_TEAM_SENDER_ADDRESS", default="warranty@example.com")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=formataddr((WARRANTY_TEAM_SENDER_NAME, WARRANTY_TEAM_SENDER_ADDRESS))
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
WARRANTY_TEAM_EMAIL = env.str("WARRANTY_TEAM_EMAIL", default="warranty-team@example.com")
SUPPORT_URL = env.str("SUPPORT_URL", default="")
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
OTP_EMAIL_SENDER = DEFAULT_FROM_EMAIL

# --- Replies by email (rma.inbound) ------------------------------------------------------
# Every email to a customer about a case answers to a plus-address of this mailbox, carrying a
# signed token of the case. Replies are fetched from it over IMAP (TLS) when INBOUND_IMAP_HOST
# is set; without it nothing is fetched and replies stay in the mailbox for a person to read.
INBOUND_REPLY_ADDRESS = env.str("INBOUND_REPLY_ADDRESS", default=WARRANTY_TEAM_SENDER_ADDRESS)
INBOUND_IMAP_HOST = env.str("INBOUND_IMAP_HOST", default="")
INBOUND_IMAP_PORT = env.int("INBOUND_IMAP_PORT", default=993)
INBOUND_IMAP_USER = env.str("INBOUND_IMAP_USER", default="")
INBOUND_IMAP_PASSWORD = env.str("INBOUND_IMAP_PASSWORD", default="")
INBOUND_IMAP_CA_FILE = env.str("INBOUND_IMAP_CA_FILE", default="")
INBOUND_IMAP_FOLDER = env.str("INBOUND_IMAP_FOLDER", default="INBOX")
INBOUND_IMAP_TAKEN_FOLDER = env.str("INBOUND_IMAP_TAKEN_FOLDER", default="RMA taken")
INBOUND_IMAP_NOT_TAKEN_FOLDER = env.str("INBOUND_IMAP_NOT_TAKEN_FOLDER", default="RMA not taken")
INBOUND_IMAP_TIMEOUT = env.int("INBOUND_IMAP_TIMEOUT", default=30)
INBOUND_FETCH_EVERY = env.int("INBOUND_FETCH_EVERY", default=60)
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=25 * 1024 * 1024)
INBOUND_MAX_ATTACHMENTS = env.int("INBOUND_MAX_ATTACHMENTS", default=10)
INBOUND_PER_SENDER_PER_HOUR = env.int("INBOUND_PER_SENDER_PER_HOUR", default=20)
INBOUND_KEEP_DAYS = env.int("INBOUND_KEEP_DAYS", default=30)

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# The queue tasks are sent to and workers read, tasks sent by tasks included: separate
# deployments can share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands a message that was taken but not acknowledged to another worker after the
# visibility timeout: that is how a killed worker's tasks come back. It is sized to the
# longest a message may stay taken: a task's hard time limit, or an email's longest retry
# delay (30 s, rma_portal.tasks.email_retry_policy) plus its run. Longer retries (PayPal's)
# may come back early as a second copy; the outbox's claim makes that copy do nothing.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 5 // 6
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=100),
    # Look for messages to restore every 5 s (by default every 100 s).
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "health_check_interval": 10,
}
# A web request waits at most about a second for a broker that is away; the outbox keeps
# what it could not send.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
# A worker that loses Redis keeps trying to reach it, and cancels the tasks it was running
# (their messages come back and their outbox rows are claimed afresh) rather than finishing
# them twice.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    "void-expired-login-codes": {"task": "accounts.tasks.void_expired_login_codes", "schedule": 60.0},
    # Tasks the broker did not take, or a killed worker did not finish, are handed over again.
    "relay-outbox": {
        "task": "rma_portal.tasks.relay_outbox",
        "schedule": float(env.int("OUTBOX_RELAY_EVERY", 10)),
    },
    # Reminders before a customer's deadline and overdue flags; each is sent once per deadline.
    "send-deadline-reminders": {"task": "rma.tasks.send_deadline_reminders", "schedule": 15 * 60.0},
    "delete-stale-held-uploads": {"task": "rma.tasks.delete_stale_held_uploads", "schedule": 60 * 60.0},
    "delete-stale-held-screenshots": {
        "task": "rma.tasks.delete_stale_held_screenshots",
        "schedule": 5 * 60.0,
    },
    # Advance replacement: PayPal holds flagged from day 25 and settled by day 28 (of 29).
    "watch-paypal-holds": {"task": "payments.tasks.watch_holds", "schedule": 60 * 60.0},
    # Replies to the portal's emails, from the team's mailbox (nothing without INBOUND_IMAP_HOST).
    "fetch-email-replies": {"task": "rma.tasks.fetch_email_replies", "schedule": float(INBOUND_FETCH_EVERY)},
    # The originals of mails taken in or refused, kept INBOUND_KEEP_DAYS for the team.
    "purge-email-originals": {"task": "rma.tasks.purge_email_originals", "schedule": 6 * 60 * 60.0},
}

# Email tasks retry a mail server that is down after EMAIL_RETRY_BACKOFF seconds, doubling
# up to EMAIL_RETRY_BACKOFF_MAX (keep it below the visibility timeout); then the outbox
# takes over. Message-IDs of emails sent by outbox tasks end in this domain.
EMAIL_RETRY_BACKOFF = env.int("EMAIL_RETRY_BACKOFF", default=15)
EMAIL_RETRY_BACKOFF_MAX = env.int("EMAIL_RETRY_BACKOFF_MAX", default=30)
EMAIL_MESSAGE_ID_DOMAIN = urlparse(SITE_URL).hostname or "localhost"

# The outbox (rma_portal.outbox): seconds after a hand-over before the relay hands a task
# that has not run yet over again; after a task failed for good, before it is tried again;
# how many hand-overs at most; and how long done rows are kept.
OUTBOX_RELAY_AFTER = env.int("OUTBOX_RELAY_AFTER", default=60)
OUTBOX_RETRY_FAILED_AFTER = env.int("OUTBOX_RETRY_FAILED_AFTER", default=300)
OUTBOX_MAX_HANDOFFS = env.int("OUTBOX_MAX_HANDOFFS", default=30)
OUTBOX_KEEP_DONE = 7 * 24 * 60 * 60

# --- Files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: uploads go through an access-checking view

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": None,  # the bucket stays private
            "querystring_auth": True,  # signed URLs
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        # Hashed, compressed names need `collectstatic` first; a local DEBUG run and the
        # tests serve the files straight from static/.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_RECEIPTS = 5
# Pictures kept from a refused submission (rma.required.held_uploads) wait this long for it.
HELD_UPLOAD_HOURS = 24
# Warranty claims (/rma/new/): photos one claim may carry, and claims one customer may send a day.
RMA_CLAIM_MAX_PHOTOS = 5
RMA_CLAIMS_PER_CUSTOMER_PER_DAY = env.int("RMA_CLAIMS_PER_CUSTOMER_PER_DAY", default=3)
# Decoded pixels of one upload (decompression bombs); 50 million covers a 48 MP phone photo.
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
# Memory for one image's decoded pixels (rma_portal.images): an RGB PNG of 50 MP fits, one
# with transparency up to 26 MP, a WEBP up to 10 MP; a JPEG is decoded at a reduced
# scale instead, so any JPEG within UPLOAD_MAX_PIXELS fits.
UPLOAD_DECODE_BUDGET = env.int("UPLOAD_DECODE_BUDGET_MB", default=200) * 1024 * 1024
# Stored images are scaled down to this many pixels on their longest side.
UPLOAD_MAX_SIDE = env.int("UPLOAD_MAX_SIDE", default=4000)
# Images decoded at once per process, and how long an upload waits for its turn (seconds).
UPLOAD_IMAGE_WORKERS = env.int("UPLOAD_IMAGE_WORKERS", default=1)
UPLOAD_IMAGE_WAIT = env.int("UPLOAD_IMAGE_WAIT", default=30)
# Submissions with files a customer may make per hour (each step's form counts one).
UPLOADS_PER_CUSTOMER_PER_HOUR = env.int("UPLOADS_PER_CUSTOMER_PER_HOUR", default=30)

# --- PayPal -----------------------------------------------------------------------------
PAYPAL_MODE = env.str("PAYPAL_MODE", default="sandbox")
PAYPAL_CLIENT_ID = env.str("PAYPAL_CLIENT_ID", default="")
PAYPAL_CLIENT_SECRET = env.str("PAYPAL_CLIENT_SECRET", default="")
PAYPAL_RECEIVING_ACCOUNT = env.str("PAYPAL_RECEIVING_ACCOUNT", default="payments@example.com")
PAYPAL_API_BASE_URL = env.str("PAYPAL_API_BASE_URL", default="")
PAYPAL_TIMEOUT = env.float("PAYPAL_TIMEOUT", default=10.0)
# First delay before a PayPal call that failed (down, slow) is tried again; it doubles each time.
PAYPAL_RETRY_BACKOFF = env.int("PAYPAL_RETRY_BACKOFF", default=60)

# --- Security headers -------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *env.list("CSP_EXTRA_IMG_SRC", default=[])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes from inside the network speak plain HTTP
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # Browsers accept a __Host- cookie only over HTTPS, for this exact host and path "/":
    # no sibling subdomain can set or shadow the session or the CSRF token.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    LOGIN_PENDING_COOKIE_NAME = "__Host-signin"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    STAFF_BROWSER_COOKIE_NAME = "__Host-staffbrowser"
# Browser features the portal never uses, denied to every page and frame
# (rma_portal.security_headers). Photos are picked through a file input, not the camera API.
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
# Joining the browsers' preload list is an operator's deliberate, hard-to-undo choice.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Internationalisation ---------------------------------------------------------------
# A language is one line here and one catalogue under locale/ (README: "Adding a language").
# Names are written in their own language: they are shown in the language switch.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers as CLDR writes them in each language (rma_portal/locale_formats/).
FORMAT_MODULE_PATH = ["rma_portal.locale_formats"]
# The choice made before sign-in; once signed in, accounts.User.language is the one kept.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # paypalrestsdk logs request bodies and credentials at DEBUG level.
        "paypalrestsdk": {"level": "WARNING"},
    },
}

# --- The warranty team's clock ----------------------------------------------------------
# Time allowed per waiting status, e.g. "awaiting_info=14d,under_review=2wd" (d: calendar
# days, wd: working days, h: hours; "none" removes a deadline); see rma.cases.deadlines.
# The kinds of required part a solution may ask for, by model label, in the order the customer
# usually does them (each a rma.required.models.RequiredPart; docs/architecture.md, "Adding a part").
RMA_REQUIRED_PARTS = [
    "payments.ReplacementChoice",
    "rma.ReturnShipment",
    "payments.SupplementaryPayment",
    "rma.ShippingAddress",
]
# The tables from a case's event to its emails, one per app (rma.cases.event_emails); the
# writer of events reads them, so any event may send an email.
RMA_EVENT_EMAILS = ["rma.cases.emails.TABLE", "payments.emails.TABLE"]
RMA_DEADLINES = env.dict("RMA_DEADLINES", default={})
RMA_HOLIDAYS = env.list("RMA_HOLIDAYS", default=[])
RMA_REMINDER_LEAD_HOURS = env.int("RMA_REMINDER_LEAD_HOURS", default=72)
# How long the case list's tabs show the counts of the shared queues before counting again
# (0: at every view). The list itself is never cached.
RMA_QUEUE_COUNTS_SECONDS = env.int("RMA_QUEUE_COUNTS_SECONDS", default=30)
# A customer with this many cases opened within the window is flagged to the agent.
RMA_RISK_COMPLETED_PER_CUSTOMER = env.int("RMA_RISK_COMPLETED_PER_CUSTOMER", default=3)
RMA_RISK_WINDOW_DAYS = env.int("RMA_RISK_WINDOW_DAYS", default=365)
# A customer with this many warranty claims within the window is flagged in the claims queue.
RMA_RISK_CLAIMS_PER_CUSTOMER = env.int("RMA_RISK_CLAIMS_PER_CUSTOMER", default=3)
# A refund of this amount or more always goes to a supervisor; "none" turns the rule off.
_approval_refund = env.str("RMA_APPROVAL_REFUND_AMOUNT", default="250")
RMA_APPROVAL_REFUND_AMOUNT = None if _approval_refund.lower() == "none" else Decimal(_approval_refund)
# "Contact support" is held to the sign-in page's limits unless set otherwise.
SUPPORT_REQUESTS_PER_IP_PER_HOUR = env.int(
    "SUPPORT_REQUESTS_PER_IP_PER_HOUR", default=LOGIN_SENDS_PER_IP_PER_HOUR
)
SUPPORT_COOLDOWN = env.int("SUPPORT_COOLDOWN", default=LOGIN_CODE_COOLDOWN)
# Screenshots one support request may carry.
SUPPORT_MAX_SCREENSHOTS = 3
# Screenshots of a refused contact form (signed-out visitors included) are kept this long for
# the form to come back, at most this many bytes per client address and in all; past a cap the
# form asks for them again instead of storing more.
SUPPORT_HELD_SCREENSHOT_MINUTES = env.int("SUPPORT_HELD_SCREENSHOT_MINUTES", default=30)
SUPPORT_HELD_BYTES_PER_CLIENT = env.int("SUPPORT_HELD_BYTES_PER_CLIENT", default=3 * UPLOAD_MAX_BYTES)
SUPPORT_HELD_BYTES_TOTAL = env.int("SUPPORT_HELD_BYTES_TOTAL", default=1024 * 1024 * 1024)

# Used by admin pages and emails.
PORTAL_NAME = env.str("PORTAL_NAME", default="Warranty Service")
# The name per language ("de=Garantieservice,ja=保証サービス"); a language not listed reads
# PORTAL_NAME through the catalogues, which translate the default name (rma_portal/portal_name.py).
PORTAL_NAMES = env.dict("PORTAL_NAMES", default={})
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default=WARRANTY_TEAM_EMAIL)
# The name authenticator apps show beside a staff account's codes.
OTP_TOTP_ISSUER = OTP_TOTP_ISSUER or PORTAL_NAME
