from datetime import timedelta

from django.utils import timezone

from adherence.models import Session


def past_sessions(patient, clinician, statuses):
    """A session of the clinician's discipline for each status: yesterday, the day before, and so on."""
    for number, status in enumerate(statuses):
        Session.objects.create(
            patient=patient,
            clinician=clinician,
            discipline=clinician.discipline,
            status=status,
            starts_at=timezone.now() - timedelta(days=number + 1),
        )
