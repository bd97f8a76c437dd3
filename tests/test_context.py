"""Who acts, from where, in which request (core/context.py): set at the edge, read by the audit trail,
and carried into Celery tasks by their message headers."""

from celery import shared_task
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from core.context import bound, current
from core.queue import context_headers
from teams.models import AuditEvent


@shared_task
def context_echo() -> tuple:
    context = current()
    return context.address, context.request_id, context.actor.pk if context.actor else None


def test_every_response_carries_its_request_id_and_keeps_a_proxys_one(client, db):
    first, second = client.get(reverse("login")), client.get(reverse("login"))
    assert first["X-Request-ID"] and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="edge-42")["X-Request-ID"] == "edge-42"
    forged = client.get(reverse("login"), HTTP_X_REQUEST_ID="a b\nInjected: yes")["X-Request-ID"]
    assert forged != "a b\nInjected: yes" and "\n" not in forged


def test_a_page_audits_with_the_address_the_request_came_from(login, clinician, patient):
    login(clinician).get(reverse("patient_overview", args=[patient.pk]), REMOTE_ADDR="192.0.2.44")
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, patient=patient, object_type="patient")
    assert (event.actor, event.ip_address) == (clinician, "192.0.2.44")


def test_a_task_runs_in_the_context_of_whoever_queued_it(clinician):
    headers: dict = {}
    with bound(address="203.0.113.7", request_id="req-1", actor_of=lambda: clinician):
        context_headers(headers=headers)
    assert current().address is None  # the block is over
    result = context_echo.apply(headers=headers).get()
    assert tuple(result) == ("203.0.113.7", "req-1", clinician.pk)


def test_a_task_queued_by_nobody_runs_with_no_actor_or_address(db):
    headers: dict = {}
    context_headers(headers=headers)
    address, request_id, actor = context_echo.apply(headers=headers).get()
    assert (address, actor) == (None, None) and request_id


def test_a_signed_out_visitor_is_no_actor():
    with bound(actor_of=AnonymousUser):
        assert current().actor is None
