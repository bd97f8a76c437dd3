"""Settings shared by every mode. Values that differ between deployments come from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.calendar import opening_hours_parse

from .env import env_bool, env_choice, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Published with the code: for development and tests only (production refuses it).
DEVELOPMENT_SECRET_KEY = "django-insecure-rehabcare-development-key-not-for-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "rehabcare.admin.RehabCareAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_celery_beat",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "teams",
    "training",
    "screening",
    "careplans",
    "routing",
    "checkins",
    "adherence",
    "conferences",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Actor, address and request id for the audit trail and the logs (core/context.py).
    "core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "teams.two_factor.TwoFactorMiddleware",
    # The page's language: the staff member's choice, or the browser's (core/middleware.py).
    "core.middleware.LanguageMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Who made a change, for the care plan history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rehabcare.urls"
WSGI_APPLICATION = "rehabcare.wsgi.application"

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
                "screening.context_processors.patient_alerts",
                "rehabcare.context_processors.site",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", "postgresql://postgres@127.0.0.1:54329/rehabcare")
# Connections: persistent per thread (CONN_MAX_AGE, checked before each request's first query), or with
# DATABASE_POOL a psycopg pool per process (DATABASE_POOL_SIZE connections at most), which Django
# requires to come without CONN_MAX_AGE. BENCHMARKS.md, "Server set-ups", compares the two.
DATABASE_POOL = env_bool("DATABASE_POOL", False)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=0 if DATABASE_POOL else env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        # With the pool: a connection it hands out is checked first (one round trip), as persistent ones are.
        conn_health_checks=True,
    )
}
if DATABASE_POOL:
    _pool_size = env_int("DATABASE_POOL_SIZE", 8, minimum=1)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": _pool_size,
    }
# Client-side cursors only: Django would otherwise declare a server-side cursor (DECLARE, FETCH, CLOSE:
# three round trips) for every form's choice list, and a pooler in transaction mode (PgBouncer) cannot
# keep one between statements. Nothing here iterates a result too large to hold.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Fail fast when PostgreSQL is unreachable: the request gets a 503 page (core/errors.py).
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3, minimum=1)
)
# Least privilege: the application connects (DATABASE_URL) as a role that owns nothing. Migrations run as
# the database's owner: `manage.py migrate` logs in to the same database with DATABASE_OWNER_URL's user and
# password, then grants DATABASE_APP_ROLE what the application needs (teams/database_roles.py). Without an
# owner URL one role does both, and `check --deploy` fails: that role could alter the audit trail.
_owner = dj_database_url.parse(env_str("DATABASE_OWNER_URL", _database_url))
DATABASE_OWNER = {"USER": _owner["USER"], "PASSWORD": _owner["PASSWORD"]}
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE", DATABASES["default"]["USER"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:63799/0")

AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "teams.backends.ClinicAdminBackend",
]
# Argon2id at OWASP's parameters (teams/hashers.py); a PBKDF2 hash from before is upgraded at sign-in.
PASSWORD_HASHERS = [
    "teams.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "patient_list"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without a request: a request renews the session when its
# last renewal is older than SESSION_RENEW_SECONDS (core.middleware), not a write per request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 15, minimum=1) * 60
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60, minimum=1)
# However active, a session ends this long after signing in; pages warn this long before idling out.
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 120, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# The client's address (core/client_ip.py) for the lockout, the patient-link rate limits and the
# audit. Behind proxies that append to X-Forwarded-For, give their number or their networks; with
# neither, the header is never read (any client could write it) and the peer is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXY_NETWORKS = env_networks("TRUSTED_PROXY_NETWORKS")
if TRUSTED_PROXY_COUNT and TRUSTED_PROXY_NETWORKS:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both")

# django-axes: five failed logins lock the account from that address (not the account everywhere, nor
# everyone behind one address); an address trying many usernames is locked after AXES_IP_FAILURE_LIMIT
# failures (core/lockout.py).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 50, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout and is not restarted by tries made during it: the lockout page
# can say when signing in works again, and it does.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
# The languages the product ships: staff choose their interface language among these, and a patient whose
# language is one of them gets their pages, messages and report in it (others get English). Polish is the
# most common main language after English in England and Wales (ONS, Census 2021).
LANGUAGES = [("en-gb", "English"), ("pl", "Polski")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One way of writing dates across the product ("30 Nov 2026", "30 Nov 2026, 14:05"): the locale's
# formats override DATE_FORMAT and its kin, so ours are a format module (rehabcare/formats/en_GB).
FORMAT_MODULE_PATH = ["rehabcare.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Django's form renderer, select lists written in Python (core/forms.py).
FORM_RENDERER = "core.forms.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PHONENUMBER_DEFAULT_REGION = env_str("PHONE_REGION", "GB")

# No inline script or style anywhere: every asset is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "rehabcare")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
# Nothing reads task results (the database holds what work did); not waiting on the result store also
# lets a publish fail fast while Redis is away (core/queue.py). A test asking for a result says so.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Redis re-delivers an unacknowledged task after this; no task is ever delayed longer (retries back off
# to 10 minutes at most), and reminders a lost worker held are re-queued by the reconciler well before.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The one list of periodic work. django-celery-beat copies it into its tables at start.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "teams.tasks.sessions_clear_expired",
        "schedule": crontab(minute="17", hour="3"),
    },
    "dispatch-reminders": {
        "task": "checkins.tasks.reminders_dispatch",
        "schedule": timedelta(seconds=env_int("REMINDER_DISPATCH_SECONDS", 60, minimum=1)),
    },
    "reconcile-reminders": {
        "task": "checkins.tasks.reminders_reconcile",
        "schedule": timedelta(seconds=env_int("REMINDER_RECONCILE_SECONDS", 300, minimum=1)),
    },
    "plan-case-conferences": {
        "task": "conferences.tasks.conferences_plan_next",
        "schedule": crontab(minute="5", hour="*"),
    },
    "refresh-adherence-rollups": {
        "task": "adherence.tasks.rollups_refresh",
        "schedule": timedelta(seconds=env_int("ROLLUP_REFRESH_SECONDS", 60, minimum=1)),
    },
    # Urgent alerts nobody acknowledged escalate (screening/escalation.py), each step exactly once.
    "escalate-urgent-alerts": {
        "task": "screening.tasks.escalations_dispatch",
        "schedule": timedelta(seconds=env_int("ESCALATION_DISPATCH_SECONDS", 60, minimum=1)),
    },
    "reconcile-alert-escalations": {
        "task": "screening.tasks.escalations_reconcile",
        "schedule": timedelta(seconds=env_int("ESCALATION_RECONCILE_SECONDS", 300, minimum=1)),
    },
    "daily-digest": {
        "task": "checkins.tasks.digests_send",
        "schedule": crontab(minute="0", hour="7"),
    },
}

# The JSON API: knox tokens (stored hashed, expiring) or the browser session; throttled per user.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.TokenRateThrottle",
        "core.api.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE_TOKEN", "600/minute"),
        "anon": env_str("API_RATE_ANON", "30/minute"),
    },
    # Where DRF reads the address itself (a view naming AnonRateThrottle): X-Forwarded-For only behind
    # proxies; core.api.AddressRateThrottle reads it through core/client_ip.py.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI schema (/api/schema/) and its interactive page (/api/docs/), with Swagger UI served
# by the app itself (drf-spectacular-sidecar): no CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "RehabCare API",
    "DESCRIPTION": (
        "Patients, screenings, alerts, check-ins, care plans and adherence. Authenticate with "
        "`POST /api/v1/auth/token/` and send `Authorization: Token <token>`. Every error is "
        '`{"detail": "...", "errors": {field: [messages]}}`.\n\n'
        "FHIR R4 lives under `/fhir/` (`application/fhir+json`, same tokens, access rule and audit; "
        "errors are an `OperationOutcome`): `GET /fhir/Questionnaire[/{code}]`, "
        "`GET /fhir/QuestionnaireResponse?patient={id}`, `GET /fhir/QuestionnaireResponse/{id}`, "
        "`POST /fhir/QuestionnaireResponse` (imported answers are scored by our own rules; any score "
        "the resource carries is ignored) and `GET /fhir/Patient/{id}`. A QuestionnaireResponse carries "
        "our computed total and band as extensions on the resource: "
        "`{SITE_URL}/fhir/StructureDefinition/total-score` (valueInteger) and "
        "`{SITE_URL}/fhir/StructureDefinition/score-band` (valueString); its timepoint as "
        "`{SITE_URL}/fhir/StructureDefinition/timepoint` (valueCode)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "PatientStatusEnum": "teams.models.Patient.Status",
        "AlertStatusEnum": "screening.models.Alert.Status",
        "CarePlanStatusEnum": "careplans.models.CarePlan.Status",
        "ResponsibilityStatusEnum": "careplans.models.Responsibility.Status",
        "ModalityEnum": "careplans.models.Modality",
        "SessionModalityEnum": "adherence.models.SessionModality",
        "WeekdayEnum": "careplans.models.Exercise.Weekday",
    },
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_HOURS", 10, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
}

# The cache holds only rate-limit counters. While Redis is unreachable it answers "nothing cached"
# (django-redis's IGNORE_EXCEPTIONS, logged), so pages keep working and limits resume with Redis.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_PREFIX", "rehabcare"),
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "filters": {"request_id": {"()": "core.context.RequestIdFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every lockout check at INFO; lockouts themselves are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Clinic name shown in the header and on patient-facing pages.
CLINIC_NAME = env_str("CLINIC_NAME", "RehabCare Clinic")
# The clinic's phone number, on every patient page (as a tel: link) and on the printable plan. The
# default is a number reserved for drama (Ofcom's 020 7946 0xxx), so demo pages never name a real line.
CLINIC_PHONE = env_str("CLINIC_PHONE", "020 7946 0000")

# Two-factor sign-in (TOTP, with backup codes): clinic admins and team leads always; everyone with
# REQUIRE_2FA (production's default). Development and tests switch it off so the demo logins work.
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)
REQUIRE_2FA = env_bool("REQUIRE_2FA", False)
OTP_TOTP_ISSUER = CLINIC_NAME
# How long emergency access ("break glass") to a patient outside one's teams lasts.
EMERGENCY_ACCESS_MINUTES = env_int("EMERGENCY_ACCESS_MINUTES", 60, minimum=1)
# Where staff and patients reach the app: links in emails and SMS start with this (development follows
# PORT; production requires it).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The identifier system of the clinic's medical record numbers in FHIR resources.
FHIR_MRN_SYSTEM = env_str("FHIR_MRN_SYSTEM", f"{SITE_URL}/fhir/sid/mrn")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "RehabCare <rehabcare@localhost>")
# Check-in reminders and alert escalations (core/sms.py says how to plug in an SMS provider).
SMS_BACKEND = env_str("SMS_BACKEND", "checkins.backends.OutboxSMSBackend")
# --- providers (issue 21) ---
# Reminders by email go through EMAIL_DELIVERY_BACKEND (the delivery contract, core/messaging.py), by
# default an adapter around EMAIL_BACKEND: SMTP, or any django-anymail ESP
# (EMAIL_BACKEND=anymail.backends.postmark.EmailBackend and its ANYMAIL settings below).
EMAIL_DELIVERY_BACKEND = env_str("EMAIL_DELIVERY_BACKEND", "core.providers.email.EmailDeliveryBackend")
# How long a provider's API may take before the outcome counts as unknown (looked up before resending).
PROVIDER_TIMEOUT_SECONDS = env_int("PROVIDER_TIMEOUT_SECONDS", 15, minimum=1)
# GOV.UK Notify (SMS_BACKEND=core.providers.notify.NotifySMSBackend): the API key, and templates whose
# only placeholders are ((body)) (and ((subject)) for email).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# Twilio (SMS_BACKEND=core.providers.twilio.TwilioSMSBackend): the account, and a sender number or a
# messaging service.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_BASE_URL = env_str("TWILIO_BASE_URL", "https://api.twilio.com")
# django-anymail: each ESP's settings by name (POSTMARK_SERVER_TOKEN, MAILGUN_API_KEY, ...), as its docs
# list them; Postmark's are read here, others may be added the same way.
ANYMAIL = {
    "POSTMARK_SERVER_TOKEN": env_str("POSTMARK_SERVER_TOKEN", ""),
    "POSTMARK_API_URL": env_str("POSTMARK_API_URL", "https://api.postmarkapp.com/"),
    "REQUESTS_TIMEOUT": PROVIDER_TIMEOUT_SECONDS,
}
# --- end providers ---
CHECKIN_LINK_HOURS = env_int("CHECKIN_LINK_HOURS", 72, minimum=1)
# How long the "stop reminders" link in a message works (each message carries a fresh one).
OPT_OUT_LINK_DAYS = env_int("OPT_OUT_LINK_DAYS", 90, minimum=1)
# A reminder handed to a worker but still unsent after this long is handed out again.
REMINDER_RECLAIM_SECONDS = env_int("REMINDER_RECLAIM_SECONDS", 600, minimum=10)
# Slots missed by longer than this (beat stopped, say) are not sent late.
REMINDER_LOOKBACK_HOURS = env_int("REMINDER_LOOKBACK_HOURS", 6, minimum=1)
# Requests to patient links per address per 10 minutes.
PATIENT_LINK_RATE = env_int("PATIENT_LINK_RATE", 60, minimum=1)
PATIENT_LINK_TOKEN_RATE = env_int("PATIENT_LINK_TOKEN_RATE", 30, minimum=1)
# Shown at once to a patient whose answers suggest they may harm themselves.
CRISIS_MESSAGE = env_str(
    "CRISIS_MESSAGE",
    "If you are thinking about harming yourself or feel unsafe, please get help now: call 999 or go to "
    "your nearest emergency department. You can call Samaritans any time on 116 123. "
    "We have let your care team know, and they will contact you.",
)
# The same in Polish, for patients whose language is Polish (core.i18n.crisis_message: CRISIS_MESSAGE_<XX>
# per language we ship; a language without one gets CRISIS_MESSAGE). Set here, not in the translation
# files, so a clinic sees and sets its own numbers in each language.
CRISIS_MESSAGE_PL = env_str(
    "CRISIS_MESSAGE_PL",
    "Jeśli myślisz o zrobieniu sobie krzywdy lub nie czujesz się bezpiecznie, poproś o pomoc teraz: "
    "zadzwoń pod numer 999 lub udaj się na najbliższy szpitalny oddział ratunkowy. Z organizacją Samaritans "
    "możesz rozmawiać o każdej porze pod numerem 116 123. Powiadomiliśmy Twój zespół opieki, który się "
    "z Tobą skontaktuje.",
)
# Check-in answers that alert the team: mood at or below this, or pain up by this much since the last one.
CHECKIN_ALERT_MOOD_AT_MOST = env_int("CHECKIN_ALERT_MOOD_AT_MOST", 2, minimum=0)
CHECKIN_ALERT_PAIN_JUMP = env_int("CHECKIN_ALERT_PAIN_JUMP", 3, minimum=1)

# An urgent alert nobody acknowledges escalates to the patient's team lead after this many minutes of the
# clinic's opening hours (a team may set its own), and to every clinic admin after as many again.
ALERT_ACK_MINUTES = env_int("ALERT_ACK_MINUTES", 60, minimum=1)
# When the clinic is open, on the wall clock of TIME_ZONE: only these minutes count towards escalating.
# Days then times, entries apart by ";": "Mon-Thu 08:00-12:30,13:30-18:00; Fri 08:00-16:00". Checked here,
# so a value that does not read stops start-up saying what is wrong.
CLINIC_OPENING_HOURS = env_str("CLINIC_OPENING_HOURS", "Mon-Fri 08:00-18:00")
try:
    opening_hours_parse(CLINIC_OPENING_HOURS)
except ValueError as error:
    raise ImproperlyConfigured(f"CLINIC_OPENING_HOURS: {error}") from None
# An escalation handed to a worker but still unsent after this long is handed out again.
ESCALATION_RECLAIM_SECONDS = env_int("ESCALATION_RECLAIM_SECONDS", 600, minimum=10)

# Clinical supervision expected a month for anyone practising a competency under supervision (a team may
# set its own); below it, they count as under supervision whatever their record says (training.competence).
SUPERVISION_MINUTES_PER_MONTH = env_int("SUPERVISION_MINUTES_PER_MONTH", 60, minimum=0)
# Assigning work to someone without the competencies it needs: "warn" asks for a reason, "strict" refuses.
COMPETENCE_GATE = env_choice("COMPETENCE_GATE", "warn", ("warn", "strict"))
# A training record renewing within this many days is marked "renewal due soon" (the team page's skill mix).
TRAINING_RENEWAL_WARNING_DAYS = env_int("TRAINING_RENEWAL_WARNING_DAYS", 60, minimum=0)

# Patient lists longer than this are exported by a background task with a progress bar.
EXPORT_IN_BACKGROUND_ABOVE = env_int("EXPORT_IN_BACKGROUND_ABOVE", 500, minimum=0)

# For django.core.mail.backends.filebased.EmailBackend: one file per message in this folder.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "mail"))

# --- delivery receipts (issue 21) ---
# A reminder's message the provider took but could not deliver for now is sent again at most this often.
REMINDER_DELIVERY_RETRIES = env_int("REMINDER_DELIVERY_RETRIES", 3, minimum=0)
# Delivery receipts (checkins/hooks.py). GOV.UK Notify sends this as a bearer token with each callback
# (set it as the callback's token in Notify's API integration page); empty refuses every callback.
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN", "")
# anymail's tracking webhooks (/hooks/anymail/<provider>/tracking/): "user:password" of the basic auth
# put in the webhook URL registered with the email provider.
ANYMAIL_WEBHOOK_SECRET = env_str("ANYMAIL_WEBHOOK_SECRET", "")
# Polling for receipts (checkins.receipts.deliveries_poll), for providers whose callbacks cannot reach
# the clinic: a message still only "sent" after this many minutes is asked about, at most a batch a run.
DELIVERY_POLL_AFTER_MINUTES = env_int("DELIVERY_POLL_AFTER_MINUTES", 10, minimum=1)
DELIVERY_POLL_BATCH = env_int("DELIVERY_POLL_BATCH", 500, minimum=1)
CELERY_BEAT_SCHEDULE["poll-deliveries"] = {
    "task": "checkins.tasks.deliveries_poll",
    "schedule": timedelta(seconds=env_int("DELIVERY_POLL_SECONDS", 300, minimum=10)),
}

# --- directory and referrals ---
# A community resource the clinic has not checked for this many days is marked "verify again" (the
# directory, the audits page).
RESOURCE_REVERIFY_DAYS = env_int("RESOURCE_REVERIFY_DAYS", 365, minimum=1)
