"""Sign-in lockout (django-axes' ``AXES_HANDLER``): one username from one address, or one address.

axes counts failures per username-and-address pair (``AXES_LOCKOUT_PARAMETERS``) against
``AXES_FAILURE_LIMIT``: someone's wrong passwords lock that account from that address, never the
whole clinic behind one proxy or one network address. An address that tries many usernames
(password spraying) is locked too, after ``AXES_IP_FAILURE_LIMIT`` failures within the cool-off,
whatever the usernames; axes has one failure limit, so that second count is kept here, over the
same rows axes stores (lifted like any lockout: ``manage.py axes_reset_ip <address>``).
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def address_failures(self, request: Any) -> int:
        """Failed sign-ins from the request's address within the cool-off, for any username."""
        recent = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        return (
            super().is_locked(request, credentials)
            or self.address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT
        )

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self.address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            # The cool-off runs from this lockout for every failure counted, as it does for a pair's
            # (tries during a lockout are not recorded, so they do not extend it).
            AccessAttempt.objects.filter(ip_address=request.axes_ip_address).update(
                attempt_time=request.axes_attempt_time
            )
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
