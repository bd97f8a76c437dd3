"""Community resources and referrals for tests, made through the services (history, audit, validation)."""

from datetime import date, timedelta

from careplans.models import CommunityResource, Referral, ResourceCategory
from careplans.services import part_create, resource_save


def make_resource(user, name="Pain Peers", category=ResourceCategory.PEER_SUPPORT, **kwargs):
    fields = {
        "description": "A monthly group for people living with persistent pain.",
        "area": "North Leeds",
        "eligibility": "Adults with pain for more than three months.",
        "languages": ["English"],
        "cost": "free",
        "referral_method": "self",
        "phone": "0113 496 0000",
        "last_verified_on": date(2026, 9, 1),
    }
    return resource_save(
        resource=CommunityResource(name=name, category=category, **(fields | kwargs)), user=user
    )


def make_referral(plan, user, resource=None, sent_on=date(2026, 10, 1), **kwargs):
    fields = {
        "reason": "Isolated since stopping work; wants to meet others managing pain.",
        "consent_given_on": sent_on,
        "consent_recorded_how": "verbal",
        "consent_given_by": "patient",
        "status": Referral.Status.SENT,
        "follow_up_due": sent_on + timedelta(days=14),
        "owner": user,
    }
    if resource is None and "service_name" not in kwargs:
        kwargs = {"service_name": "Leeds Debt Line", "service_contact": "0113 496 0999"} | kwargs
    referral = Referral(plan=plan, resource=resource, sent_on=sent_on, **(fields | kwargs))
    if resource is not None:
        referral.category = resource.category
    return part_create(instance=referral, user=user)
