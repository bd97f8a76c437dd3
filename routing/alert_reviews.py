"""Review alerts from before the routing rules become assigned reviews (routing migration 0004).

Each review alert still unresolved (open or acknowledged) with a result becomes a ``Review``: the most
urgent active rule of its instrument that the result meets (else, for a result no rule meets today, the
instrument's most urgent rule, so the finding is not dropped), owned by the same rule as a new review
(fewest unresolved reviews among the team's active members of the rule's discipline, ties in name
order, else the primary clinician), due the rule's days after the alert was raised, with the alert's
reason. The alert is then closed with the action "Became an assigned psychosocial review". Both writes
are audited. An alert of an instrument without any rule stays in the alert queue.

Takes the models from ``apps`` so that the migration can pass its historical ones; pure Python rules
here, as historical models carry no methods.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

ACTION = "Became an assigned psychosocial review"


def _meets(rule: Any, screening: Any) -> bool:
    if rule.condition == "flag":
        return rule.flag in (screening.flags or [])
    if rule.condition == "band":
        return screening.band == rule.band
    if rule.condition == "score":
        value = (screening.subscales or {}).get(rule.subscale) if rule.subscale else screening.total
        return (
            value is not None
            and (rule.low is None or value >= rule.low)
            and (rule.high is None or value <= rule.high)
        )
    return False


def _owner(user_model: Any, patient: Any, discipline: str) -> Any:
    candidate = (
        user_model.objects.filter(is_active=True, discipline=discipline, memberships__team_id=patient.team_id)
        .annotate(open_reviews=Count("reviews", filter=~Q(reviews__state="resolved")))
        .order_by("open_reviews", "last_name", "first_name", "username", "pk")
        .first()
    )
    return candidate or patient.primary_clinician


def review_alerts_convert(apps: Any) -> int:
    """Turn the unresolved review alerts into reviews; returns how many."""
    alert_model = apps.get_model("screening", "Alert")
    rule_model = apps.get_model("routing", "RoutingRule")
    history_model = apps.get_model("routing", "HistoricalRoutingRule")
    review_model = apps.get_model("routing", "Review")
    user_model = apps.get_model("teams", "User")
    audit_model = apps.get_model("teams", "AuditEvent")
    rules: dict[str, list[Any]] = {}
    for rule in rule_model.objects.filter(is_active=True).order_by("due_days", "position", "pk"):
        rules.setdefault(rule.instrument, []).append(rule)
    now = timezone.now()
    converted = 0
    alerts = (
        alert_model.objects.filter(kind="review", screening__isnull=False)
        .exclude(status="closed")
        .select_related("screening", "patient", "patient__primary_clinician")
        .order_by("opened_at", "pk")
    )
    for alert in alerts:
        screening = alert.screening
        candidates = rules.get(screening.instrument, [])
        if not candidates:
            continue
        # A legacy alert was raised on a level, not a change: a deterioration rule is the last resort.
        by_level = [each for each in candidates if each.condition != "deterioration"] or candidates
        rule = next((each for each in by_level if _meets(each, screening)), by_level[0])
        if review_model.objects.filter(screening=screening, rule=rule).exists():
            review = review_model.objects.get(screening=screening, rule=rule)
        else:
            version = (
                history_model.objects.filter(id=rule.pk)
                .order_by("-history_date", "-history_id")
                .values_list("history_id", flat=True)
                .first()
            )
            review = review_model.objects.create(
                patient=alert.patient,
                screening=screening,
                rule=rule,
                rule_version=version,
                reason=alert.reason,
                discipline=rule.discipline,
                owner=_owner(user_model, alert.patient, rule.discipline),
                due_on=timezone.localdate(alert.opened_at) + timedelta(days=rule.due_days),
            )
            audit_model.objects.create(
                username="migration",
                action="create",
                patient_id=alert.patient_id,
                object_type="review",
                object_id=str(review.pk),
                changed_fields=sorted(
                    ["patient", "screening", "rule", "reason", "discipline", "owner", "due_on"]
                ),
            )
        changed = ["status", "action_taken", "closed_at"]
        if alert.acknowledged_at is None:
            alert.acknowledged_at = now
            changed.append("acknowledged_at")
        alert.status = "closed"
        alert.action_taken = ACTION
        alert.closed_at = now
        alert.save(update_fields=changed)
        audit_model.objects.create(
            username="migration",
            action="update",
            patient_id=alert.patient_id,
            object_type="alert",
            object_id=str(alert.pk),
            changed_fields=sorted(changed),
        )
        converted += 1
    return converted
