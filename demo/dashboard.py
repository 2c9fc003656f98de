"""Demo data for the monitoring dashboard: the cooperatives registered over the first
months of the demo's history (rather than all on the day it was seeded), then the
dashboard's rollups built over the whole history, through the rollups service; last
month's report, and this year's and last year's digital villages (the commune with the
most active cooperatives given a household count that earns it the label's household
route), through their services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from orders.models import Order
from policy.models import DigitalVillage
from policy.services.reports import last_month, report_build
from policy.services.rollups import rollups_rebuild
from policy.services.villages import commune_households_set, villages_mark
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
    days = rollups_rebuild(first=timezone.localtime(start).date())
    report_build(period=last_month())
    this_year = timezone.localdate().year
    villages_mark(year=this_year - 1)
    villages_mark(year=this_year)
    busiest = (
        DigitalVillage.objects.filter(year=this_year, active_shops__gt=0)
        .select_related("commune")
        .order_by("-active_shops", "-sales")
        .first()
    )
    if busiest is not None and busiest.commune.households is None:  # seeding again: kept
        commune_households_set(
            commune=busiest.commune, households=busiest.active_shops * 8, by=None
        )
        villages_mark(year=this_year)
    return days
