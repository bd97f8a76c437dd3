"""The client's address (core/client_ip.py): X-Forwarded-For only as far as our own proxies wrote it,
and the audit trail, the session record and the API's pre-sign-in throttle all use that one answer."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from core.client_ip import client_ip
from teams.models import AuditEvent, UserSession

from .factories import PASSWORD

PROXY = "10.0.0.2"


def _request(remote_addr: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra)


def test_without_a_proxy_configured_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = []
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "client"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # The client wrote the first entry itself; our one proxy appended the address it saw.
        (1, "192.0.2.66, 203.0.113.9", "203.0.113.9"),
        (2, "192.0.2.66, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        # Sent to the inner proxy directly: what it wrote is still ours.
        (2, "203.0.113.9", "203.0.113.9"),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
    ],
)
def test_behind_a_number_of_proxies_the_client_is_the_address_the_outermost_one_saw(
    settings, count, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(PROXY, forwarded)) == client


def test_behind_proxy_networks_the_client_is_the_nearest_address_outside_them(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/24", "2001:db8::/32"]
    assert client_ip(_request(PROXY, "192.0.2.66, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    assert client_ip(_request("2001:db8::5", "203.0.113.9")) == "203.0.113.9"
    # Not from one of our proxies: the header is the client's own invention.
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_the_audit_and_the_session_record_the_client_behind_the_proxy(settings, clinician):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client.post(reverse("login"), {"username": "physio", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip_address == "203.0.113.9"
    assert UserSession.objects.get(user=clinician).ip_address == "203.0.113.9"
    Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20").post(
        reverse("login"), {"username": "physio", "password": "wrong"}
    )
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip_address == "198.51.100.20"


def test_without_a_proxy_the_audit_records_the_peer_not_the_header(settings, clinician):
    settings.TRUSTED_PROXY_COUNT = 0
    Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9").post(
        reverse("login"), {"username": "physio", "password": "wrong"}
    )
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip_address == "198.51.100.7"


def test_the_apis_sign_in_throttle_counts_the_client_not_the_header(settings, db):
    from core.api import AddressRateThrottle

    # DRF's own reading (a view naming AnonRateThrottle) believes X-Forwarded-For only behind proxies.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
    throttle = AddressRateThrottle()
    assert throttle.get_ident(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    assert throttle.get_ident(_request("198.51.100.7", "203.0.113.10")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 1
    assert throttle.get_ident(_request(PROXY, "203.0.113.9")) == "203.0.113.9"
