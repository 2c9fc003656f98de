"""Background jobs of the dashboard's rollups; thin wrappers over their service."""

from celery import shared_task

from policy.services import rollups


@shared_task(name="policy.tasks.refresh_rollups", acks_late=True)
def refresh_rollups() -> int:
    """Beat, every few minutes: rebuild today's rollups (and yesterday's)."""
    return rollups.rollups_refresh()
