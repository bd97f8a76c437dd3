"""Values every template may show."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"development": settings.DEBUG, "clinic_name": settings.CLINIC_NAME}
