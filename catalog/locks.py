"""Row locks on the catalog's tables, always taken in primary-key order.

Two transactions that lock the same products (two checkouts, a checkout and a
closure, a cancellation and a seller's stock edit) take them in the same order, so
one waits for the other instead of each holding a row the other needs: no deadlock.
Every service that locks products takes its locks here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from catalog.models import Product


def product_lock(*, product_id: int) -> Product:
    """One product, locked for an update of its own row, with what its checks read."""
    return (
        Product.objects.select_for_update(of=("self",))
        .select_related("cooperative", "category")
        .get(pk=product_id)
    )


def products_lock(*, products: QuerySet[Product] | Iterable[int], no_key: bool = False):
    """Lock ``products`` (a queryset or ids) in primary-key order; returns the queryset,
    evaluated by the caller. ``no_key`` (FOR NO KEY UPDATE) lets other transactions keep
    inserting rows that point at these products (cart lines, order lines)."""
    if not isinstance(products, QuerySet):
        products = Product.objects.filter(pk__in=list(products))
    # of=("self",): the caller may join the cooperative and category without locking them.
    return products.select_for_update(of=("self",), no_key=no_key).order_by("pk")
