"""A clinician drops a follow-up screening from the patient overview's section (the section itself is
``routing.selectors.rescreen_section``, registered in ``apps.py``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import day
from teams.access import AuthenticatedRequest, patient_scoped
from teams.models import Patient

from . import rescreens, selectors


def rescreen_section_context(request: AuthenticatedRequest, patient: Patient) -> dict[str, object]:
    """The overview's "Follow-up screening" section: two queries."""
    return {"section": selectors.rescreen_section(patient=patient, today=timezone.localdate())}


@patient_scoped
@require_POST
def rescreen_cancel(request: AuthenticatedRequest, patient: Patient) -> HttpResponse:
    """Cancel the patient's due re-screen named in the form (``rescreen``); back to the overview."""
    raw = request.POST.get("rescreen", "")
    rescreen = selectors.rescreen_of_patient(patient=patient, rescreen_id=int(raw)) if raw.isdigit() else None
    if rescreen is None:
        raise Http404(_("No such re-screen."))
    try:
        rescreens.rescreen_cancel(rescreen=rescreen, user=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("The %(instrument)s re-screen due %(day)s is cancelled.")
            % {"instrument": rescreen.instrument, "day": day(rescreen.due_on)},
        )
    return redirect(f"{patient.get_absolute_url()}#follow-up-screening")
