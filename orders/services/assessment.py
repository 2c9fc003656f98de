"""Which tax period counts a sale or a return (the orders' side of the collection).

A sale counts once it is completed: delivered and paid (cash received, or paid online),
which happens to a cooperative's part of an order as a whole, so the mark is on the part
and covers its lines. The part is given its period the moment it completes: the month
it completes in, which no collection has reached yet (a month is collected once it has
ended, and remitted after that). An accepted return is given the month it is accepted
in, once its sale counts. So the collection only sums what each period holds, and no
line can be counted twice.

A completed part or an accepted return left without a period (one that completed before
periods were given at completion) is given, by ``period_mark``, the period the next
collection runs for: nothing is left behind, and a frozen period is never touched.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from orders.models import ReturnLine, ReturnRequest, SellerOrder


def period_of(instant: datetime) -> date:
    """The tax period (its first day) an instant falls in, in the site's time zone."""
    return timezone.localtime(instant).date().replace(day=1)


def sale_complete(seller_order: SellerOrder) -> list[str]:
    """Stamp a locked part that is now delivered and paid with when it completed and the
    period that counts it; returns the fields set, for the caller's save (none if the
    part is not complete, or already was)."""
    paid = seller_order.cash_received_at or seller_order.order.paid_at
    if (
        seller_order.status != SellerOrder.Status.DELIVERED
        or paid is None
        or seller_order.completed_at is not None
    ):
        return []
    seller_order.completed_at = timezone.now()
    if seller_order.tax_period is None:
        seller_order.tax_period = period_of(seller_order.completed_at)
    return ["completed_at", "tax_period"]


def returns_accepted(*, return_request: ReturnRequest) -> int:
    """Give an accepted return's lines the period it is accepted in, if its sale counts
    already (one UPDATE)."""
    if return_request.seller_order.tax_period is None:
        return 0
    return ReturnLine.objects.filter(return_request=return_request, tax_period=None).update(
        tax_period=period_of(return_request.decided_at or timezone.now())
    )


def period_mark(*, period: date, end: datetime) -> tuple[int, int]:
    """Give ``period`` the completed parts and accepted returns, from before ``end``,
    that no period holds yet (two UPDATEs; through a partial index, nothing to read in
    a month whose sales were all given their period when they completed)."""
    parts = SellerOrder.objects.filter(tax_period=None, completed_at__lt=end).update(
        tax_period=period
    )
    returns = ReturnLine.objects.filter(
        tax_period=None,
        return_request__status=ReturnRequest.Status.ACCEPTED,
        return_request__decided_at__lt=end,
        order_line__seller_order__tax_period__isnull=False,
    ).update(tax_period=period)
    return parts, returns
