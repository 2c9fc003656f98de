"""Reads of orders: a buyer sees only their orders; a cooperative only its parts."""

import re

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from orders.models import Order, OrderLine, SellerOrder


def buyer_orders(*, buyer) -> QuerySet[Order]:
    return Order.objects.filter(buyer=buyer).prefetch_related(
        Prefetch("seller_orders", queryset=SellerOrder.objects.order_by("cooperative_name"))
    )


def buyer_order(*, buyer, order_id: int) -> Order:
    order = (
        Order.objects.filter(buyer=buyer, pk=order_id)
        .prefetch_related(
            Prefetch(
                "seller_orders",
                queryset=SellerOrder.objects.order_by("cooperative_name").prefetch_related(
                    # The reviews and returns shown with each delivered part: no query per line.
                    Prefetch(
                        "lines", queryset=OrderLine.objects.select_related("review").order_by("id")
                    ),
                    "status_changes",
                    "returns",
                ),
            )
        )
        .first()
    )
    if order is None:
        raise Http404
    return order


ORDER_NUMBER = re.compile(r"(?:LP-?)?0*(\d{1,12})", re.IGNORECASE)


def cooperative_seller_orders(
    *, cooperative, status: str = "", search: str = ""
) -> QuerySet[SellerOrder]:
    """The cooperative's parts, newest first. ``status``: one status, "open" (those that
    need action) or anything else for all; ``search``: an order number (LP-000042, 42)
    or part of the name the buyer ships to."""
    orders = SellerOrder.objects.filter(cooperative=cooperative).select_related("order")
    if status in SellerOrder.Status.values:
        orders = orders.filter(status=status)
    elif status == "open":
        orders = orders.filter(status__in=SellerOrder.NEEDS_ACTION)
    if search:
        number = ORDER_NUMBER.fullmatch(search.strip())
        by_name = Q(order__ship_name__icontains=search)
        orders = orders.filter(Q(order_id=int(number.group(1))) | by_name if number else by_name)
    return orders.order_by("-created_at", "-id")


def cooperative_seller_order(*, cooperative, seller_order_id: int) -> SellerOrder:
    seller_order = (
        SellerOrder.objects.filter(cooperative=cooperative, pk=seller_order_id)
        .select_related("order", "order__buyer", "cooperative__province")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("review").order_by("id")),
            "status_changes__actor",
            "returns__lines__order_line",
        )
        .first()
    )
    if seller_order is None:
        raise Http404
    return seller_order


def product_reviews(*, product_id: int, limit: int = 20) -> dict:
    """The product's rating summary and latest reviews, in one query (the average and
    count are window functions over all its reviews, computed before the LIMIT)."""
    from django.db.models import Avg, Count, Window

    from orders.models import Review

    latest = list(
        Review.objects.filter(product_id=product_id)
        .select_related("buyer")
        .annotate(average=Window(Avg("rating")), total=Window(Count("id")))
        .order_by("-created_at", "-id")[:limit]
    )
    return {
        "average": latest[0].average if latest else None,
        "count": latest[0].total if latest else 0,
        "latest": latest,
    }


def recent_receivers(*, product_ids, since) -> dict[str, list[dict]]:
    """The buyers who received any of ``product_ids`` (ids, or a queryset) since
    ``since``, each with what they received: {email: [{"title", "number", "order_id"}]},
    in one query (a recall tells them what to do)."""
    from orders.models import SellerOrderStatusChange

    delivered = SellerOrderStatusChange.objects.filter(
        to_status=SellerOrder.Status.DELIVERED, created_at__gte=since
    ).values("seller_order_id")
    receivers: dict[str, list[dict]] = {}
    for email, order_id, title in (
        OrderLine.objects.filter(
            product_id__in=product_ids,
            seller_order__status=SellerOrder.Status.DELIVERED,
            seller_order_id__in=delivered,
        )
        .order_by("seller_order__order__buyer__email", "seller_order__order_id", "pk")
        .values_list("seller_order__order__buyer__email", "seller_order__order_id", "title")
    ):
        receivers.setdefault(email, []).append(
            {
                "title": title,
                "number": Order.number_for(order_id),
                "order_id": order_id,
            }
        )
    return receivers


def period_totals(*, period, cooperative_ids) -> dict[int, dict]:
    """Per cooperative, what ``period`` covers (two aggregate queries): completed sales
    before VAT, VAT charged and tax withheld on them, and the same for the returns it
    nets (prorated to the quantity returned). Amounts are not rounded here."""
    from decimal import Decimal

    from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum

    from orders.models import ReturnLine

    money: DecimalField = DecimalField(max_digits=24, decimal_places=6)
    zero = Decimal("0")
    totals: dict[int, dict] = {}
    for row in (
        OrderLine.objects.filter(
            seller_order__tax_period=period,
            seller_order__cooperative_id__in=list(cooperative_ids),
        )
        .values("seller_order__cooperative_id")
        .annotate(
            gross=Sum(ExpressionWrapper(F("unit_price") * F("quantity"), output_field=money)),
            vat=Sum("vat_amount"),
            withholding=Sum("withholding_amount"),
            lines=Count("id"),
        )
    ):
        totals[row["seller_order__cooperative_id"]] = {
            "gross": row["gross"] or zero,
            "vat": row["vat"] or zero,
            "withholding": row["withholding"] or zero,
            "lines": row["lines"],
            "returned": zero,
            "vat_back": zero,
            "withholding_back": zero,
        }
    for row in (
        ReturnLine.objects.filter(
            tax_period=period,
            order_line__seller_order__cooperative_id__in=list(cooperative_ids),
        )
        .values("order_line__seller_order__cooperative_id")
        .annotate(
            returned=Sum(
                ExpressionWrapper(F("order_line__unit_price") * F("quantity"), output_field=money)
            ),
            vat_back=Sum(
                ExpressionWrapper(
                    F("order_line__vat_amount") * F("quantity") / F("order_line__quantity"),
                    output_field=money,
                )
            ),
            withholding_back=Sum(
                ExpressionWrapper(
                    F("order_line__withholding_amount") * F("quantity") / F("order_line__quantity"),
                    output_field=money,
                )
            ),
        )
    ):
        entry = totals.setdefault(
            row["order_line__seller_order__cooperative_id"],
            {"gross": zero, "vat": zero, "withholding": zero, "lines": 0},
        )
        entry["returned"] = row["returned"] or zero
        entry["vat_back"] = row["vat_back"] or zero
        entry["withholding_back"] = row["withholding_back"] or zero
    return totals


def statement_lines(*, cooperative_id: int, period):
    """A cooperative's sales and returns counted in ``period``, for its statement."""
    from orders.models import ReturnLine

    sales = (
        OrderLine.objects.filter(
            seller_order__tax_period=period, seller_order__cooperative_id=cooperative_id
        )
        .select_related("seller_order")
        .order_by("seller_order_id", "pk")
    )
    returns = (
        ReturnLine.objects.filter(
            tax_period=period, order_line__seller_order__cooperative_id=cooperative_id
        )
        .select_related("order_line__seller_order")
        .order_by("pk")
    )
    return sales, returns
