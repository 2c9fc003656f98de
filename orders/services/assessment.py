"""Marking order parts and returns for a tax period (the collection job's writes on the
orders' tables), set-based: one UPDATE each for a batch of cooperatives.

A sale counts once it is completed: delivered and paid (cash received, or paid online),
which happens to a cooperative's part of an order as a whole, so the mark is on the part
and covers its lines. A run for a period marks every completed, unmarked part completed
before the period ends (a late one from an earlier period included: nothing is left
behind), and every accepted, unmarked return decided before the period ends whose sale
is already marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q

from orders.models import ReturnLine, ReturnRequest, SellerOrder, SellerOrderStatusChange


def parts_to_assess(*, end: datetime):
    """Completed order parts not yet counted by any period, completed before ``end``."""
    delivered = SellerOrderStatusChange.objects.filter(
        seller_order_id=OuterRef("pk"),
        to_status=SellerOrder.Status.DELIVERED,
        created_at__lt=end,
    )
    paid = Q(cash_received_at__lt=end) | Q(order__paid_at__lt=end)
    return SellerOrder.objects.filter(
        Q(tax_period__isnull=True, status=SellerOrder.Status.DELIVERED) & paid & Exists(delivered)
    )


def returns_to_assess(*, end: datetime):
    """Accepted returns not yet netted, decided before ``end``, of counted sales."""
    return ReturnLine.objects.filter(
        tax_period__isnull=True,
        return_request__status=ReturnRequest.Status.ACCEPTED,
        return_request__decided_at__lt=end,
        order_line__seller_order__tax_period__isnull=False,
    )


def cooperatives_with_work(*, period: date, end: datetime) -> list[int]:
    """The cooperatives a period's run must (re)assess, in id order."""
    ids = set(parts_to_assess(end=end).values_list("cooperative_id", flat=True).distinct())
    ids |= set(
        SellerOrder.objects.filter(tax_period=period)
        .values_list("cooperative_id", flat=True)
        .distinct()
    )
    ids |= set(
        returns_to_assess(end=end)
        .values_list("order_line__seller_order__cooperative_id", flat=True)
        .distinct()
    )
    return sorted(ids)


def period_mark(*, cooperative_ids: Iterable[int], period: date, end: datetime) -> tuple[int, int]:
    """Mark, for these cooperatives, the order parts and returns ``period`` covers;
    returns how many of each were marked (two UPDATEs, in the caller's transaction)."""
    ids = list(cooperative_ids)
    parts = parts_to_assess(end=end).filter(cooperative_id__in=ids).update(tax_period=period)
    returns = (
        returns_to_assess(end=end)
        .filter(order_line__seller_order__cooperative_id__in=ids)
        .update(tax_period=period)
    )
    return parts, returns
