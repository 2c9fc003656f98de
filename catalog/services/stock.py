"""Stock moves of other apps (checkout takes, cancellations and returns give back).

The catalog owns ``Product.stock``: orders call these instead of updating it. Each
move is one UPDATE for all the products; the database's ``stock >= 0`` constraint is
the last guard, the caller's checks under ``catalog.locks`` the first.
"""

from __future__ import annotations

from django.db.models import Case, F, Value, When
from django.utils import timezone

from catalog.models import Product
from catalog.pagecache import catalog_changed


def _by_product(quantities: dict[int, int]) -> Case:
    return Case(*(When(pk=pk, then=Value(q)) for pk, q in quantities.items()), default=Value(0))


def stock_take(*, quantities: dict[int, int]) -> None:
    """Take ``quantities`` (product id → units), under the locks the caller holds and
    after it checked there is enough (checkout). The caller retires the cached catalog
    pages (``catalog_changed``) once its whole write is done."""
    if not quantities:
        return
    Product.objects.filter(pk__in=quantities).update(
        stock=F("stock") - _by_product(quantities), updated_at=timezone.now()
    )


def stock_return(*, quantities: dict[int, int]) -> None:
    """Give ``quantities`` back (cancellation, accepted return). Products deleted since
    are simply skipped."""
    if not quantities:
        return
    Product.objects.filter(pk__in=quantities).update(
        stock=F("stock") + _by_product(quantities), updated_at=timezone.now()
    )
    catalog_changed()
