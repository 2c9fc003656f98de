"""Reads of what a re-evaluation changed, for the cooperatives' notices."""

from __future__ import annotations

from collections import defaultdict

from catalog.models import Product
from policy.models import ListingDecision
from sellers.models import Cooperative
from sellers.selectors import manager_emails


def reevaluation_changes_by_cooperative(*, runs: list[str]):
    """Yield (cooperative, manager emails, suspended titles, released titles) for runs."""
    rows = (
        ListingDecision.objects.filter(run__in=runs)
        .exclude(to_status="")
        .values_list("product__cooperative_id", "product__title", "to_status")
        .distinct()
        .order_by("product__cooperative_id", "product__title")
    )
    grouped: dict[int, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for cooperative_id, title, to_status in rows:
        suspended, released = grouped[cooperative_id]
        (suspended if to_status == Product.Status.SUSPENDED else released).add(title)
    cooperatives = Cooperative.objects.in_bulk(list(grouped))
    managers = manager_emails(cooperative_ids=grouped)
    for cooperative_id, (suspended, released) in grouped.items():
        yield (
            cooperatives[cooperative_id],
            managers.get(cooperative_id, []),
            sorted(suspended),
            sorted(released),
        )
