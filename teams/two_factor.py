"""Two-factor sign-in: a time-based one-time code (TOTP, any authenticator app) after the password, with
ten single-use backup codes. Built on django-otp, which keeps the devices, refuses a code used
before and slows down repeated wrong codes.

Who must: clinic admins and team leads always, everyone when REQUIRE_2FA (production's default);
nobody when TWO_FACTOR_ENFORCED is off (development and tests). Until then, every page sends a
signed-in user to enrol (no device yet) or to enter a code (``TwoFactorMiddleware``).
"""

from collections.abc import Callable
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import AuthenticatedRequest
from .models import AuditEvent, User
from .redirects import local_path
from .services import audit_record

BACKUP_CODES = 10
# Pages a signed-in user reaches before the second factor: these, signing out, and the static files
# (with the JavaScript catalogue, which the second-factor pages load as any page does).
OPEN_PATHS = ("/2fa/", "/logout/", "/login/", "/healthz", "/static/", "/favicon.ico", "/jsi18n/")


def must_use_two_factor(user: User) -> bool:
    if not settings.TWO_FACTOR_ENFORCED:
        return False
    return settings.REQUIRE_2FA or user.is_superuser or user.oversees_a_team


def has_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            # is_verified is set on the user by django-otp's middleware
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(OPEN_PATHS)
            and must_use_two_factor(user)
        ):
            step = "two_factor_verify" if has_device(user) else "two_factor_setup"
            return redirect(f"{reverse(step)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


WRONG_CODE = _(
    "That code did not work. Codes from the app change every 30 seconds; each backup code works once."
)


def code_matches(request: HttpRequest, user: User, code: str) -> Device | None:
    """The device ``code`` belongs to (an app's code, or a backup code, used up by this), or None. A
    failed try is audited; django-otp refuses a code used before and slows down repeated wrong ones.
    The one check for the sign-in page and the API's token."""
    device = match_token(user, code.replace(" ", "").strip())
    if device is None:
        audit_record(actor=user, action=AuditEvent.Action.LOGIN_FAILED, object_type="second factor")
    return device


def _next(request: HttpRequest) -> str:
    return local_path(request, request.POST.get("next") or request.GET.get("next") or "") or reverse(
        "patient_list"
    )


def _verified(request: HttpRequest, device) -> None:
    """Signed in with the second factor: a new session key, as at any change of rights."""
    request.session.cycle_key()
    otp_login(request, device)
    audit_record(actor=request.user, action=AuditEvent.Action.LOGIN, object_type="second factor")


@never_cache
@login_required
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if has_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(f"{reverse('two_factor_verify')}?next={quote(_next(request))}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("code", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            StaticDevice.objects.filter(user=user).delete()
            backup = StaticDevice.objects.create(user=user, name="Backup codes")
            codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
            StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
            _verified(request, device)
            return render(request, "teams/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        error = gettext(
            "That code did not match. Check that your phone's clock is right, and type the newest code."
        )
    return render(
        request,
        "teams/two_factor_setup.html",
        {
            "qr": segno.make(device.config_url, error="m").svg_inline(
                scale=4, title=str(_("Scan with your app"))
            ),
            "secret": device.config_url.split("secret=")[1].split("&")[0],
            "error": error,
            "next": _next(request),
        },
    )


@never_cache
@login_required
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        device = code_matches(request, request.user, request.POST.get("code", ""))
        if device is not None:
            _verified(request, device)
            return redirect(_next(request))
        error = str(WRONG_CODE)
    return render(request, "teams/two_factor_verify.html", {"error": error, "next": _next(request)})
