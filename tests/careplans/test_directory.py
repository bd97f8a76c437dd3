"""The community resource directory: search and filters, a page whose queries do not grow with rows,
who keeps it, and the reminder to verify a resource again."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.models import CommunityResource, ResourceCategory
from teams.models import AuditEvent

from .referral_factories import make_resource

TODAY = date(2026, 10, 7)


@pytest.fixture(autouse=True)
def on_a_wednesday():
    # The re-verify marks count days back from today: the tests pin today.
    with time_machine.travel(datetime(2026, 10, 7, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def directory(lead):
    return {
        "peers": make_resource(lead, "Pain Peers", languages=["English", "Polish"]),
        "walk": make_resource(
            lead,
            "Roundhay Walking Group",
            category=ResourceCategory.COMMUNITY_EXERCISE,
            description="Gentle walks round the park, paced for people with pain.",
            area="East Leeds",
            cost="low",
            cost_note="£2 a walk",
        ),
        "money": make_resource(
            lead,
            "Leeds Money Advice",
            category=ResourceCategory.FINANCIAL_ADVICE,
            description="Benefits and debt advice.",
            eligibility="Anyone living in Leeds on a low income.",
            area="City-wide",
            languages=["English", "Urdu"],
        ),
        "closed": make_resource(lead, "Old Pain Café", active=False),
    }


def _names(response):
    return [resource.name for resource in response.context["page"]]


def test_search_finds_a_word_in_the_name_description_area_or_eligibility(login, clinician, directory):
    client = login(clinician)
    url = reverse("resource_list")
    assert _names(client.get(url, {"q": "pain"})) == ["Pain Peers", "Roundhay Walking Group"]
    assert _names(client.get(url, {"q": "east"})) == ["Roundhay Walking Group"]
    assert _names(client.get(url, {"q": "low income"})) == ["Leeds Money Advice"]
    # Every word must be found somewhere; a retired resource is not offered.
    assert _names(client.get(url, {"q": "pain debt"})) == []
    assert "Old Pain Café" not in client.get(url).text


def test_filters_by_category_area_language_and_cost(login, clinician, directory):
    client = login(clinician)
    url = reverse("resource_list")
    assert _names(client.get(url, {"category": "financial_advice"})) == ["Leeds Money Advice"]
    assert _names(client.get(url, {"area": "east leeds"})) == ["Roundhay Walking Group"]
    assert _names(client.get(url, {"language": "Polish"})) == ["Pain Peers"]
    assert _names(client.get(url, {"cost": "low"})) == ["Roundhay Walking Group"]
    page = client.get(url)
    assert page.context["choices"].languages == ["English", "Polish", "Urdu"]
    assert page.context["choices"].areas == ["City-wide", "East Leeds", "North Leeds"]


def test_the_directory_runs_the_same_queries_for_3_and_40_resources(
    login, clinician, lead, directory, django_assert_max_num_queries
):
    client = login(clinician)
    url = reverse("resource_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "a"})
    for n in range(37):
        make_resource(lead, f"Group {n:02d}", description="A group for all.")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"q": "a"})
    assert response.context["page"].paginator.count == 40
    assert len(response.context["page"]) == 25


def test_only_leads_and_clinic_admins_keep_the_directory(login, clinician, lead, clinic_admin, directory):
    peers = directory["peers"]
    client = login(clinician)
    assert client.get(reverse("resource_detail", kwargs={"resource_id": peers.pk})).status_code == 200
    assert client.get(reverse("resource_new")).status_code == 403
    assert client.get(reverse("resource_edit", kwargs={"resource_id": peers.pk})).status_code == 403
    assert client.post(reverse("resource_verify", kwargs={"resource_id": peers.pk})).status_code == 403
    assert "Add a resource" not in client.get(reverse("resource_list")).text
    response = login(lead).post(
        reverse("resource_new"),
        {
            "name": "Back to Work Leeds",
            "category": "workplace",
            "area": "City-wide",
            "languages": "english, polish",
            "cost": "free",
            "referral_method": "form",
            "email": "referrals@backtowork.example",
            "active": "on",
        },
    )
    created = CommunityResource.objects.get(name="Back to Work Leeds")
    assert response.url == created.get_absolute_url()
    assert created.languages == ["English", "Polish"]
    assert AuditEvent.objects.filter(actor=lead, object_type="communityresource", action="create").exists()
    assert login(clinic_admin).get(reverse("admin:careplans_communityresource_changelist")).status_code == 200


def test_a_resource_needs_a_way_to_contact_it_said_on_its_field(login, lead):
    response = login(lead).post(
        reverse("resource_new"),
        {"name": "Nowhere", "category": "social_support", "area": "Leeds", "cost": "free"},
    )
    form = response.context["form"]
    assert form.errors["phone"] == ["Give at least one way to contact it: phone, email, website or address."]
    assert form.errors["referral_method"] == ["Say how patients are referred."]


def test_an_edit_over_someone_elses_save_is_refused(login, lead, clinic_admin, directory):
    peers = directory["peers"]
    url = reverse("resource_edit", kwargs={"resource_id": peers.pk})
    form = login(lead).get(url).context["form"]
    seen = form.initial["seen_updated_at"]
    with time_machine.travel(datetime(2026, 10, 7, 12, 5, tzinfo=ZoneInfo("Europe/London")), tick=False):
        login(clinic_admin).post(
            url,
            {**_posted(peers), "description": "Meets on Tuesdays.", "seen_updated_at": seen.isoformat()},
        )
        response = login(lead).post(
            url, {**_posted(peers), "cost_note": "Tea £1", "seen_updated_at": seen.isoformat()}
        )
    assert response.status_code == 200
    assert "Someone else saved this resource" in response.text
    peers.refresh_from_db()
    assert peers.description == "Meets on Tuesdays." and peers.cost_note == ""


def _posted(resource):
    return {
        "name": resource.name,
        "category": resource.category,
        "description": resource.description,
        "area": resource.area,
        "eligibility": resource.eligibility,
        "languages": ", ".join(resource.languages),
        "cost": resource.cost,
        "referral_method": resource.referral_method,
        "phone": resource.phone,
        "active": "on",
    }


def test_a_resource_not_verified_for_a_year_is_marked_and_listed_on_the_audits_page(
    login, lead, directory, settings
):
    settings.RESOURCE_REVERIFY_DAYS = 365
    stale = make_resource(lead, "Stale Swim Club", last_verified_on=TODAY - timedelta(days=366))
    make_resource(lead, "Just In Time", last_verified_on=TODAY - timedelta(days=365))
    client = login(lead)
    listing = client.get(reverse("resource_list"))
    marked = [r.name for r in listing.context["page"] if r.verify_again(TODAY)]
    assert marked == ["Stale Swim Club"]
    assert listing.text.count("verify again") == 1
    audits = client.get(reverse("audits"))
    assert [r.name for r in audits.context["resources_to_verify"]] == ["Stale Swim Club"]
    assert "Stale Swim Club" in audits.text
    # Checked with the service today: the mark and the audit line go.
    client.post(reverse("resource_verify", kwargs={"resource_id": stale.pk}))
    stale.refresh_from_db()
    assert stale.last_verified_on == TODAY and stale.verified_by == lead
    assert client.get(reverse("audits")).context["resources_to_verify"] == []
