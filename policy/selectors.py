"""Reads for the regulator's pages and the sellers' explanations."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from catalog.models import Product
from policy.models import Appeal, ListingDecision, ListingRule
from sellers.models import Cooperative
from sellers.selectors import manager_emails


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


def latest_decisions(*, product: Product) -> list[ListingDecision]:
    """The rows of the product's most recent evaluation (one per blocking rule)."""
    latest = (
        ListingDecision.objects.filter(product=product)
        .order_by("-created_at", "-id")
        .values_list("run", flat=True)
        .first()
    )
    if latest is None:
        return []
    return list(
        ListingDecision.objects.filter(product=product, run=latest)
        .select_related("rule")
        .prefetch_related("appeal")
        .order_by("id")
    )


def decision_history(*, product: Product):
    return (
        ListingDecision.objects.filter(product=product)
        .select_related("rule", "actor")
        .order_by("-created_at", "-id")
    )


def appeal_queue(*, status: str = Appeal.Status.PENDING):
    appeals = Appeal.objects.select_related(
        "decision__product__cooperative", "decision__rule", "filed_by"
    )
    if status:
        appeals = appeals.filter(status=status)
    return appeals.order_by("filed_at")


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
