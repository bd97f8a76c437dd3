"""The one gate in front of every patient-scoped page, API endpoint and export.

Pages use the ``patient_scoped`` decorator; API views call ``patient_for_request``
and set ``patient_scoped = True`` on their class. A decorated view takes ``patient_id`` from its URL and
receives the ``Patient`` instead, loaded through ``Patient.objects.visible_to``.
Someone outside the patient's teams gets 404, as if the record did not exist; the
attempt is audited. A page answers that 404 with the site's own page (templates/404.html), in development
too, where Django would show its debug page: what testers see is what users see. Each page that shows
the record is audited as a view; changes are audited by the services that make them.

Who may is decided by ``teams.policy``. Emergency access reads: under it, a request that would
change something (any method but GET, HEAD, OPTIONS) is refused with 403, except on the views marked
``emergency_writes`` (recording a screening, writing an emergency note).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found

from . import policy
from .models import AuditEvent, Patient, User
from .services import audit_record

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
EMERGENCY_READ_ONLY = _(
    "Emergency access lets you read this record and add a screening or an emergency note. "
    "Changes to it are for the patient's team."
)

PatientView = Callable[..., HttpResponse]


class AuthenticatedRequest(HttpRequest):
    """What a view behind ``login_required`` receives: a request from a signed-in member of staff."""

    user: User


def patient_for_request(request: HttpRequest, patient_id: int, *, emergency_writes: bool = False) -> Patient:
    """The access check itself: the patient, if the signed-in user may see them; else audited 404.
    Under emergency access only, a request that changes something is refused (403) unless the view
    allows it (``emergency_writes``)."""
    patient = (
        policy.with_team_access(request.user, Patient.objects.visible_to(request.user))
        .select_related("team", "primary_clinician")
        .filter(pk=patient_id)
        .first()
    )
    if patient is None:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.DENIED,
            object_type="patient",
            object_id=str(patient_id),
        )
        raise Http404(_("No patient matches the given query."))
    changes = request.method not in SAFE_METHODS
    if changes and not emergency_writes and policy.emergency_only(request.user, patient):
        raise PermissionDenied(EMERGENCY_READ_ONLY)
    # Context processors of other apps (e.g. the alert banner) read the patient from here.
    request.patient = patient  # type: ignore[attr-defined]
    return patient


def emergency_writes(view: PatientView) -> PatientView:
    """Mark a patient-scoped view whose changes emergency access may make (apply under ``patient_scoped``)."""
    view.emergency_writes = True  # type: ignore[attr-defined]
    return view


def patient_scoped(view: PatientView) -> Callable[..., HttpResponse]:
    allowed = getattr(view, "emergency_writes", False)

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, patient_id: int, *args, **kwargs) -> HttpResponse:
        try:
            patient = patient_for_request(request, patient_id, emergency_writes=allowed)
            response = view(request, patient, *args, **kwargs)
        except Http404 as missing:
            # The patient, or a record of theirs, is not there for this user: the page every user sees,
            # DEBUG or not (Django's handler would show its technical page under DEBUG).
            return page_not_found(request, missing)
        if response.status_code == 200:
            # The page showed the record (a GET, or a form sent back with errors).
            audit_record(actor=request.user, action=AuditEvent.Action.VIEW, patient=patient, obj=patient)
        return response

    wrapper.patient_scoped = True  # type: ignore[attr-defined]  # read by the URL-wide access test
    return wrapper
