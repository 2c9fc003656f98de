"""Marking order lines and returns for a tax period (the collection job's writes on the
orders' tables), set-based: one UPDATE each for a batch of cooperatives.

A sale counts once it is completed: delivered and paid (cash received, or paid online).
A run for a period marks every completed, unmarked line completed before the period
ends (a late one from an earlier period included: nothing is left behind), and every
accepted, unmarked return decided before the period ends whose sale is already marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q

from orders.models import OrderLine, ReturnLine, ReturnRequest, SellerOrder, SellerOrderStatusChange


def _completed_before(end: datetime) -> Q:
    delivered = SellerOrderStatusChange.objects.filter(
        seller_order_id=OuterRef("seller_order_id"),
        to_status=SellerOrder.Status.DELIVERED,
        created_at__lt=end,
    )
    paid = Q(seller_order__cash_received_at__lt=end) | Q(seller_order__order__paid_at__lt=end)
    return Q(seller_order__status=SellerOrder.Status.DELIVERED) & paid & Q(Exists(delivered))


def lines_to_assess(*, end: datetime):
    """Completed sales not yet counted by any period, completed before ``end``."""
    return OrderLine.objects.filter(tax_period__isnull=True).filter(_completed_before(end))


def returns_to_assess(*, end: datetime):
    """Accepted returns not yet netted, decided before ``end``, of counted sales."""
    return ReturnLine.objects.filter(
        tax_period__isnull=True,
        return_request__status=ReturnRequest.Status.ACCEPTED,
        return_request__decided_at__lt=end,
        order_line__tax_period__isnull=False,
    )


def cooperatives_with_work(*, period: date, end: datetime) -> list[int]:
    """The cooperatives a period's run must (re)assess, in id order."""
    ids = set(
        lines_to_assess(end=end).values_list("seller_order__cooperative_id", flat=True).distinct()
    )
    ids |= set(
        OrderLine.objects.filter(tax_period=period)
        .values_list("seller_order__cooperative_id", flat=True)
        .distinct()
    )
    ids |= set(
        returns_to_assess(end=end)
        .values_list("order_line__seller_order__cooperative_id", flat=True)
        .distinct()
    )
    return sorted(ids)


def period_mark(*, cooperative_ids: Iterable[int], period: date, end: datetime) -> tuple[int, int]:
    """Mark, for these cooperatives, the sales and returns ``period`` covers; returns how
    many of each were marked (two UPDATEs, in the caller's transaction)."""
    ids = list(cooperative_ids)
    lines = (
        lines_to_assess(end=end)
        .filter(seller_order__cooperative_id__in=ids)
        .update(tax_period=period)
    )
    returns = (
        returns_to_assess(end=end)
        .filter(order_line__seller_order__cooperative_id__in=ids)
        .update(tax_period=period)
    )
    return lines, returns
