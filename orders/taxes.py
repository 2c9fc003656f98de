"""The tax rates checkout applies: the regulator's tax rules in force today
(``policy.selectors.taxes``), for each line's category and seller. Orders keep a
snapshot of the rates and amounts; later rule changes never touch them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from catalog.models import Product
from orders.models import OrderLine, SellerOrder
from policy.selectors.taxes import TaxRates, tax_rates_for, tax_rules_in_force, turnover_needed

__all__ = ["TaxRates", "tax_rates_for_products", "yearly_turnover"]


def yearly_turnover(*, cooperative_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each cooperative's sales (before VAT) delivered in the last 365 days, in one query."""
    since = timezone.now() - timedelta(days=365)
    return dict(
        OrderLine.objects.filter(
            seller_order__cooperative_id__in=list(cooperative_ids),
            seller_order__status=SellerOrder.Status.DELIVERED,
            seller_order__created_at__gte=since,
        )
        .values_list("seller_order__cooperative_id")
        .annotate(total=Sum(F("unit_price") * F("quantity")))
        .values_list("seller_order__cooperative_id", "total")
    )


def tax_rates_for_products(products: Iterable[Product]) -> dict[int, TaxRates]:
    """The rates in force now for each product (its category and cooperative loaded)."""
    products = list(products)
    rules = tax_rules_in_force()
    turnover = (
        yearly_turnover(cooperative_ids={p.cooperative_id for p in products})
        if turnover_needed(rules)
        else {}
    )
    return {
        product.pk: tax_rates_for(
            rules=rules,
            category_path=product.category.path,
            cross_border=product.cooperative.is_cross_border,
            turnover=turnover.get(product.cooperative_id),
        )
        for product in products
    }
