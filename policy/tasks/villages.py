"""Background jobs of the digital-village marks; thin wrappers over their service."""

from celery import shared_task
from django.utils import timezone

from policy.services import villages


@shared_task(name="policy.tasks.mark_digital_villages", acks_late=True)
def mark_digital_villages(year: int | None = None) -> int:
    """Beat, once a year when the year has ended: mark its digital villages (a regulator
    may also mark the year under way from the villages page)."""
    return villages.villages_mark(year=year or timezone.localdate().year - 1)
