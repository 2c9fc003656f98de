"""Reads of a listing's decisions, for the sellers' explanations (low layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policy.models import ListingDecision

if TYPE_CHECKING:
    from catalog.models import Product


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
