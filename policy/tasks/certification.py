"""Background jobs of certification; thin wrappers over its services."""

from celery import shared_task

from policy.services import certification


@shared_task(name="policy.tasks.send_certificate_reminders")
def send_certificate_reminders() -> int:
    """Beat, daily: remind managers 90 and 30 days before a certificate expires (each
    reminder once, however often this runs)."""
    return certification.certificate_reminders_send()
