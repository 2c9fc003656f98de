"""Demo data for the monitoring dashboard: the cooperatives registered over the first
months of the demo's history (rather than all on the day it was seeded), then the
dashboard's rollups built over the whole history, through the rollups service."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from orders.models import Order
from policy.services.rollups import rollups_rebuild
from sellers.models import Cooperative, CooperativeStatusChange


def demo_dashboard_seed() -> int:
    """Returns how many days of rollups were built."""
    first_order = Order.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first_order is None:
        return 0
    start = first_order - timedelta(days=30)
    for n, pk in enumerate(Cooperative.objects.order_by("pk").values_list("pk", flat=True)):
        registered = start + timedelta(days=9 * n)
        Cooperative.objects.filter(pk=pk).update(created_at=registered)
        CooperativeStatusChange.objects.filter(cooperative_id=pk).update(
            created_at=registered + timedelta(days=3)
        )
    return rollups_rebuild(first=timezone.localtime(start).date())
