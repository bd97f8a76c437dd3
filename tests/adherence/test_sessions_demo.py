"""The demo's joint and remote sessions (issue 20): the physio and the psychologist each see joint video
sessions in My day, every demo session credits its clinicians, and seeding again adds nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from adherence.models import Session, SessionSeries
from teams.models import User

pytestmark = pytest.mark.slow


def test_the_demo_has_joint_video_series_in_both_clinicians_day(db, settings, client):
    settings.DEBUG = True
    with time_machine.travel(datetime(2026, 3, 26, 8, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        call_command("seed_demo")
        joint = SessionSeries.objects.annotate(n=Count("clinicians")).filter(n=2, modality="video")
        assert joint.count() >= 3 and {s.every_weeks for s in joint} == {2}
        assert set(Session.objects.values_list("modality", flat=True)) >= {
            "in_person",
            "video",
            "phone",
            "group",
        }
        assert not Session.objects.filter(credits__isnull=True).exists()
        for username, other in (
            ("physio", "Tom Adeyemi (Psychologist)"),
            ("psych", "Priya Shah (Physiotherapist)"),
        ):
            client.force_login(User.objects.get(username=username))
            page = client.get(reverse("day_list"))
            assert f"joint with {other}" in page.text, username
            assert "https://video.rehabcare.example/joint-" in page.text
        count = Session.objects.count()
        call_command("seed_demo")
        assert Session.objects.count() == count
