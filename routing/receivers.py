"""Where a stored screening result reaches routing: ``screening.signals.screening_recorded``.

In the recording transaction: first the follow-up screenings this result completes
(``rescreens.rescreens_on_result``), then the rules it fires (``services.reviews_open_for``).
"""

from typing import Any

from django.dispatch import receiver

from screening.models import Screening
from screening.signals import screening_recorded

from . import rescreens, services


@receiver(screening_recorded, sender=Screening, dispatch_uid="routing.screening_recorded")
def screening_route(sender: Any, *, screening: Screening, **kwargs: Any) -> None:
    rescreens.rescreens_on_result(screening=screening)
    services.reviews_open_for(screening=screening)
