"""What an API request costs before its view: its own token looked up (not every token of the user), and
the rate counted in one round trip to Redis over a sliding window."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from teams.sessions import sessions_clear_expired

pytestmark = pytest.mark.django_db


def test_a_request_reads_its_own_token_only_and_the_clean_up_deletes_the_expired_ones(
    api_as, clinician, django_assert_max_num_queries
):
    stale = [AuthToken.objects.create(clinician)[0] for _ in range(5)]
    AuthToken.objects.filter(pk__in=[t.pk for t in stale]).update(expiry=timezone.now() - timedelta(hours=1))
    api = api_as(clinician)
    api.get(reverse("api_patient_list"))

    with django_assert_max_num_queries(6) as captured:
        assert api.get(reverse("api_patient_list")).status_code == 200
    token_queries = [q["sql"] for q in captured.captured_queries if '"knox_authtoken"' in q["sql"]]
    assert len(token_queries) == 1
    assert AuthToken.objects.filter(user=clinician).count() == 6  # nothing swept by the request

    assert sessions_clear_expired() == 5
    assert AuthToken.objects.filter(user=clinician).count() == 1
    assert api.get(reverse("api_patient_list")).status_code == 200


def test_an_expired_token_is_refused_and_deleted(api_as, clinician):
    api = api_as(clinician)
    AuthToken.objects.filter(user=clinician).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api.get(reverse("api_patient_list")).status_code == 401
    assert not AuthToken.objects.filter(user=clinician).exists()


@pytest.fixture
def three_a_minute(settings):
    cache.clear()
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "100/minute"}
    }
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    yield
    SimpleRateThrottle.THROTTLE_RATES = original
    cache.clear()


def test_the_limit_slides_over_the_last_minute_and_a_refusal_says_when_to_retry(
    api_as, clinician, three_a_minute
):
    url = reverse("api_patient_list")
    # A minute's window starts on the minute (the counters are per window of the rate's length).
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, 0, tzinfo=UTC), tick=False) as clock:
        api = api_as(clinician)
        assert [api.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
        refused = api.get(url)
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0

        # At 09:01:30, half of the first minute's five requests still count: 2.5 + 1 is over 3.
        clock.shift(90)
        assert api.get(url).status_code == 429
        # At 09:02:00 the last minute held that one refused request: 1 + 1.
        clock.shift(30)
        assert api.get(url).status_code == 200

        clock.shift(180)
        assert [api.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
