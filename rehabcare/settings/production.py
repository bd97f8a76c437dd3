"""Production: everything secret or site-specific must come from the environment.

Settings that would quietly not work refuse to load (``ImproperlyConfigured``, naming the variable):
a backend that keeps messages instead of sending them (patients would get nothing, and their
single-use links would sit in the database and the log), links to a host nobody chose, the
development secret key, or no word on the proxies in front (every client would be the proxy).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEVELOPMENT_SECRET_KEY
from .env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY is the published development key: set a secret of your own")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

# Links in emails and SMS (patients' single-use check-in links among them): only over HTTPS.
SITE_URL = env_str("SITE_URL").rstrip("/")
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// in production, not {SITE_URL!r}")
FHIR_MRN_SYSTEM = env_str("FHIR_MRN_SYSTEM", f"{SITE_URL}/fhir/sid/mrn")

# Patients are told to call the clinic on every page they see: no default number in production.
CLINIC_NAME = env_str("CLINIC_NAME")
CLINIC_PHONE = env_str("CLINIC_PHONE")
OTP_TOTP_ISSUER = CLINIC_NAME

# Backends that keep or print messages instead of sending them.
NOT_SENDING = {
    "checkins.backends.OutboxEmailBackend",
    "checkins.backends.OutboxSMSBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# No default: the SMS provider's backend class (checkins/backends.py says how to write one).
SMS_BACKEND = env_str("SMS_BACKEND")


def _must_send(name: str, backend: str) -> None:
    if backend in NOT_SENDING or "Outbox" in backend.rsplit(".", 1)[-1]:
        raise ImproperlyConfigured(f"{name}={backend} sends nothing: production needs one that delivers")


_must_send("EMAIL_BACKEND", EMAIL_BACKEND)
_must_send("SMS_BACKEND", SMS_BACKEND)

# --- providers (issue 21) ---
# The chosen provider's credentials, template and sender, or no start: a reminder would otherwise fail
# at its first send, hours later, for every patient.
EMAIL_DELIVERY_BACKEND = env_str("EMAIL_DELIVERY_BACKEND", "core.providers.email.EmailDeliveryBackend")
_PROVIDER_NEEDS = {
    "core.providers.notify.NotifySMSBackend": ["NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID"],
    "core.providers.notify.NotifyEmailBackend": ["NOTIFY_API_KEY", "NOTIFY_EMAIL_TEMPLATE_ID"],
    "core.providers.twilio.TwilioSMSBackend": ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
    "anymail.backends.postmark.EmailBackend": ["POSTMARK_SERVER_TOKEN"],
}
for _backend in (SMS_BACKEND, EMAIL_DELIVERY_BACKEND, EMAIL_BACKEND):
    for _name in _PROVIDER_NEEDS.get(_backend, []):
        env_str(_name)  # raises "The environment variable ... is required" (or reads ..._FILE)
if SMS_BACKEND == "core.providers.twilio.TwilioSMSBackend" and not (
    env_str("TWILIO_FROM_NUMBER", "") or env_str("TWILIO_MESSAGING_SERVICE_SID", "")
):
    raise ImproperlyConfigured("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is required for Twilio")
_must_send("EMAIL_DELIVERY_BACKEND", EMAIL_DELIVERY_BACKEND)

# Say what is in front: TRUSTED_PROXY_COUNT=1 behind one TLS proxy, 0 when clients connect directly.
if env_str("TRUSTED_PROXY_COUNT", "") == "" and not TRUSTED_PROXY_NETWORKS:  # noqa: F405
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT (or TRUSTED_PROXY_NETWORKS) is required in production: the proxies in front "
        "of the application, so the lockout, rate limits and audit see each client's own address"
    )

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# Everyone signs in with a second factor unless the clinic decides otherwise (admins and leads always).
REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
