"""Who an escalation reaches and how soon is set in the admin: a staff member's mobile, a team's minutes."""

from django.urls import reverse

from teams.models import Team


def test_a_clinic_admin_sets_a_team_s_minutes_to_acknowledge(login, clinic_admin, north):
    client = login(clinic_admin)
    change = reverse("admin:teams_team_change", args=[north.pk])
    form = client.get(change)
    assert 'name="alert_ack_minutes"' in form.text
    data = {
        "name": north.name,
        "alert_ack_minutes": "20",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    assert client.post(change, data).status_code == 302
    assert Team.objects.get(pk=north.pk).alert_ack_minutes == 20
    refused = client.post(change, data | {"alert_ack_minutes": "0"})
    assert refused.status_code == 200 and "greater than or equal to 1" in refused.text
    client.post(change, data | {"alert_ack_minutes": ""})
    assert Team.objects.get(pk=north.pk).alert_ack_minutes is None  # the clinic's default again


def test_a_staff_member_s_mobile_is_on_their_admin_page(login, clinic_admin, lead):
    page = login(clinic_admin).get(reverse("admin:teams_user_change", args=[lead.pk]))
    assert page.status_code == 200 and 'name="mobile"' in page.text
