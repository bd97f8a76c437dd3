"""The community resource directory: searching it, the choices its filters offer, and what to re-verify.

Reads only; the resources are written by ``services.resource_save`` / ``resource_verify``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from .models import CommunityResource, ResourceCategory, ResourceCost

SEARCHED = ("name", "description", "area", "eligibility")


@dataclass(frozen=True)
class DirectoryQuery:
    """What the directory page was asked for (each part optional)."""

    q: str = ""
    category: str = ""
    area: str = ""
    language: str = ""
    cost: str = ""
    include_inactive: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> DirectoryQuery:
        get = params.get
        category = get("category", "")
        cost = get("cost", "")
        return cls(
            q=(get("q", "") or "").strip()[:100],
            category=category if category in ResourceCategory.values else "",
            area=(get("area", "") or "").strip()[:100],
            language=(get("language", "") or "").strip()[:40],
            cost=cost if cost in ResourceCost.values else "",
            include_inactive=get("inactive", "") == "1",
        )


def reverify_before(today: date) -> date:
    """Resources last verified before this day are to verify again."""
    return today - timedelta(days=settings.RESOURCE_REVERIFY_DAYS)


def resources_search(query: DirectoryQuery) -> QuerySet[CommunityResource]:
    """The resources matching every part of ``query``: each word of ``q`` somewhere in the name,
    description, area or eligibility; the category, area, language and cost as chosen (one query)."""
    rows = CommunityResource.objects.select_related("verified_by")
    if not query.include_inactive:
        rows = rows.filter(active=True)
    for word in query.q.split():
        match = Q()
        for field in SEARCHED:
            match |= Q(**{f"{field}__icontains": word})
        rows = rows.filter(match)
    if query.category:
        rows = rows.filter(category=query.category)
    if query.area:
        rows = rows.filter(area__iexact=query.area)
    if query.language:
        rows = rows.filter(languages__contains=[query.language])
    if query.cost:
        rows = rows.filter(cost=query.cost)
    return rows.order_by("name", "id")


@dataclass(frozen=True)
class FilterChoices:
    areas: list[str]
    languages: list[str]


def filter_choices() -> FilterChoices:
    """The areas and languages active resources have, for the filters (one query)."""
    areas: set[str] = set()
    languages: set[str] = set()
    for area, listed in CommunityResource.objects.filter(active=True).values_list("area", "languages"):
        areas.add(area)
        languages.update(listed)
    return FilterChoices(areas=sorted(areas, key=str.lower), languages=sorted(languages, key=str.lower))


def resources_to_verify(*, today: date, limit: int | None = None) -> list[CommunityResource]:
    """Active resources not verified for RESOURCE_REVERIFY_DAYS (or never), longest unverified first."""
    rows = (
        CommunityResource.objects.filter(active=True)
        .filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=reverify_before(today)))
        .order_by("last_verified_on", "name")
    )
    return list(rows[:limit] if limit else rows)
