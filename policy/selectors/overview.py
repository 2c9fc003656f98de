"""Reads for the regulator's pages: the overview, the rules, the appeal queue."""

from __future__ import annotations

from django.db.models import Count, Q

from catalog.models import Product
from policy.models import Appeal, ListingDecision, ListingRule
from sellers.models import Cooperative


def regulator_overview() -> dict[str, int]:
    """Headline counts for the regulator's home page."""
    overview = Cooperative.objects.aggregate(
        cooperatives=Count("id"),
        pending=Count("id", filter=Q(status=Cooperative.Status.PENDING)),
        verified=Count("id", filter=Q(status=Cooperative.Status.VERIFIED)),
        suspended=Count("id", filter=Q(status=Cooperative.Status.SUSPENDED)),
    )
    overview |= Product.objects.aggregate(
        blocked_listings=Count("id", filter=Q(status=Product.Status.BLOCKED)),
        suspended_listings=Count("id", filter=Q(status=Product.Status.SUSPENDED)),
        active_listings=Count("id", filter=Q(status=Product.Status.ACTIVE)),
    )
    overview["pending_appeals"] = Appeal.objects.filter(status=Appeal.Status.PENDING).count()
    overview["rules_active"] = ListingRule.objects.filter(is_active=True).count()
    return overview


def rules_list():
    return ListingRule.objects.prefetch_related("categories").annotate(
        blocked=Count(
            "decisions",
            filter=Q(decisions__outcome=ListingDecision.Outcome.BLOCKED),
        )
    )


def appeal_queue(*, status: str = Appeal.Status.PENDING):
    appeals = Appeal.objects.select_related(
        "decision__product__cooperative", "decision__rule", "filed_by"
    )
    if status:
        appeals = appeals.filter(status=status)
    return appeals.order_by("filed_at")
