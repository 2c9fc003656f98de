from celery import shared_task

from orders.services.outbox import outbox_relay


@shared_task
def relay_outbox() -> int:
    """Send the emails waiting in the outbox (idempotent; also run by beat every minute)."""
    return outbox_relay()
