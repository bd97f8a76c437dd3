"""Clinic admins edit routing rules in the admin: validated, versioned, every change audited."""

from django.urls import reverse

from routing.models import RoutingRule
from teams.models import AuditEvent


def _form(rule: RoutingRule, **changes) -> dict:
    data = {
        "name": rule.name,
        "instrument": rule.instrument,
        "condition": rule.condition,
        "flag": rule.flag,
        "band": rule.band,
        "subscale": rule.subscale,
        "low": "" if rule.low is None else rule.low,
        "high": "" if rule.high is None else rule.high,
        "discipline": rule.discipline,
        "support_discipline": rule.support_discipline,
        "due_days": rule.due_days,
        "interventions": rule.interventions,
        "rescreen_days": "" if rule.rescreen_days is None else rule.rescreen_days,
        "rationale": rule.rationale,
        "source": rule.source,
        "position": rule.position,
        "is_active": "on" if rule.is_active else "",
    }
    return data | changes


def test_the_admin_lists_rules_by_instrument(login, clinic_admin):
    page = login(clinic_admin).get(
        reverse("admin:routing_routingrule_changelist"), {"instrument__exact": "PCS"}
    )
    assert page.status_code == 200
    assert "High pain catastrophizing (PCS ≥ 30)" in page.text
    assert "Moderate depressive symptoms" not in page.text


def test_a_change_is_kept_in_the_history_and_audited(login, clinic_admin):
    rule = RoutingRule.objects.get(name="High pain catastrophizing (PCS ≥ 30)")
    url = reverse("admin:routing_routingrule_change", args=[rule.pk])
    response = login(clinic_admin).post(url, _form(rule, due_days=10))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.due_days == 10
    assert rule.history.count() == 2 and rule.history.latest().history_user == clinic_admin
    event = AuditEvent.objects.filter(
        object_type="routingrule", object_id=str(rule.pk), action="update"
    ).get()
    assert event.changed_fields == ["due_days"] and event.actor == clinic_admin


def test_a_rule_on_a_band_the_instrument_lacks_is_refused_next_to_the_field(login, clinic_admin):
    rule = RoutingRule.objects.get(name="High risk of persistent back pain (STarT Back)")
    url = reverse("admin:routing_routingrule_change", args=[rule.pk])
    response = login(clinic_admin).post(url, _form(rule, band="very high risk"))
    assert response.status_code == 200
    assert "band" in response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.band == "high risk"


def test_adding_and_deleting_a_rule_are_audited(login, clinic_admin):
    client = login(clinic_admin)
    template = RoutingRule.objects.get(name="Clinical insomnia (ISI ≥ 15)")
    response = client.post(
        reverse("admin:routing_routingrule_add"),
        _form(template, name="Subthreshold insomnia", low=8, high=14),
    )
    assert response.status_code == 302
    added = RoutingRule.objects.get(name="Subthreshold insomnia")
    assert AuditEvent.objects.filter(
        object_type="routingrule", object_id=str(added.pk), action="create"
    ).exists()
    response = client.post(reverse("admin:routing_routingrule_delete", args=[added.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RoutingRule.objects.filter(pk=added.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="routingrule", object_id=str(added.pk), action="delete"
    ).exists()
