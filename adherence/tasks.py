"""Background work for adherence: thin tasks that take ids and call a service."""

from celery import shared_task

from . import exports, rollups


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3
)
def export_build(export_id: int) -> None:
    exports.export_build(export_id=export_id)


@shared_task(ignore_result=True)
def rollups_refresh() -> None:
    """Every minute: recompute the weekly roll-ups that writes marked stale, and this week's."""
    rollups.refresh()
