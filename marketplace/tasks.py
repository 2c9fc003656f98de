from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions from the database (idempotent)."""
    management.call_command("clearsessions")


@shared_task
def relay_outbox() -> int:
    """Send the emails that are due in the outbox (idempotent; beat runs it every minute,
    so a broker outage delays emails and loses none)."""
    from marketplace.notifications import outbox_relay

    return outbox_relay()
