"""Reads of orders: a buyer sees only their orders; a cooperative only its parts."""

import re

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from orders.models import Order, OrderLine, SellerOrder
from sellers.selectors import registered_abroad


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


def period_counts(*, period) -> tuple[int, int]:
    """How many order parts and returns ``period`` holds."""
    from orders.models import ReturnLine

    return (
        SellerOrder.objects.filter(tax_period=period).count(),
        ReturnLine.objects.filter(tax_period=period).count(),
    )


def period_totals_sql(*, period, places: int) -> tuple[str, list]:
    """A ``SELECT`` (SQL and parameters) of what ``period`` holds, one row per
    cooperative: ``cooperative_id, gross, returned, vat, withholding, lines``, summed in
    the database and rounded to ``places`` decimals half away from zero (as
    ``marketplace.money.money_round``): a line's taxes were rounded when the order was
    placed; the returns' taxes, prorated to the quantity returned, are rounded once per
    cooperative and taken off. For the collection to keep in a table of its own while
    it writes the assessments, batch by batch."""
    from django.db import connection

    from orders.models import ReturnLine

    quote = connection.ops.quote_name
    lines, parts = quote(OrderLine._meta.db_table), quote(SellerOrder._meta.db_table)
    returns = quote(ReturnLine._meta.db_table)
    day = connection.ops.adapt_datefield_value(period)
    places = int(places)
    # `* 1.0`: a share of a tax is not an integer division on SQLite either.
    sql = f"""
        SELECT cooperative_id,
               ROUND(SUM(gross), {places}) AS gross,
               ROUND(SUM(returned), {places}) AS returned,
               ROUND(SUM(vat), {places}) - ROUND(SUM(vat_back), {places}) AS vat,
               ROUND(SUM(withholding), {places}) - ROUND(SUM(withholding_back), {places})
                   AS withholding,
               SUM(lines) AS lines
          FROM (SELECT so.cooperative_id, SUM(l.unit_price * l.quantity) AS gross,
                       0 AS returned, SUM(l.vat_amount) AS vat, 0 AS vat_back,
                       SUM(l.withholding_amount) AS withholding, 0 AS withholding_back,
                       COUNT(*) AS lines
                  FROM {lines} l JOIN {parts} so ON so.id = l.seller_order_id
                 WHERE so.tax_period = %s
                 GROUP BY so.cooperative_id
                UNION ALL
                SELECT so.cooperative_id, 0, SUM(l.unit_price * r.quantity), 0,
                       SUM(l.vat_amount * 1.0 * r.quantity / l.quantity), 0,
                       SUM(l.withholding_amount * 1.0 * r.quantity / l.quantity), 0
                  FROM {returns} r JOIN {lines} l ON l.id = r.order_line_id
                  JOIN {parts} so ON so.id = l.seller_order_id
                 WHERE r.tax_period = %s
                 GROUP BY so.cooperative_id) AS held
         GROUP BY cooperative_id
    """  # noqa: S608 (table names from the models, places an int)
    return sql, [day, day]


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


def daily_sales(*, start, end) -> QuerySet:
    """Per day (the order's, in the site's time zone), cooperative and category, the
    sales of orders placed from ``start`` to ``end`` (instants), cancelled parts left
    out: order parts (each counted in the category of its first line), lines, units,
    sales before VAT, VAT and tax withheld; with the cooperative's province, commune and
    whether it sells from abroad. For the dashboard's rollups (``INSERT … SELECT``)."""
    from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Sum
    from django.db.models.functions import TruncDate

    # A part's first line is the one no line of the part comes before: an index probe
    # that stops at the first earlier line, rather than sorting the part's lines.
    earlier_line = OrderLine.objects.filter(
        seller_order=OuterRef("seller_order"), id__lt=OuterRef("id")
    )
    return (
        OrderLine.objects.filter(
            seller_order__order__created_at__gte=start, seller_order__order__created_at__lt=end
        )
        .exclude(seller_order__status=SellerOrder.Status.CANCELLED)
        .order_by()
        .values(
            rollup_day=TruncDate("seller_order__order__created_at"),
            rollup_cooperative=F("seller_order__cooperative_id"),
            rollup_category=F("product__category_id"),
            rollup_province=F("seller_order__cooperative__province_id"),
            rollup_commune=F("seller_order__cooperative__commune"),
            rollup_cross_border=registered_abroad("seller_order__cooperative"),
        )
        .annotate(
            rollup_orders=Count("id", filter=~Exists(earlier_line)),
            rollup_lines=Count("id"),
            rollup_units=Sum("quantity"),
            rollup_gross=Sum(
                ExpressionWrapper(
                    F("unit_price") * F("quantity"),
                    output_field=DecimalField(max_digits=18, decimal_places=2),
                )
            ),
            rollup_vat=Sum("vat_amount"),
            rollup_withholding=Sum("withholding_amount"),
        )
    )


def daily_refunds(*, start, end) -> QuerySet:
    """Per day (the return's acceptance), cooperative and category, what was refunded
    from ``start`` to ``end``: each returned line's share of its total (VAT included)."""
    from decimal import Decimal

    from django.db.models import DecimalField, ExpressionWrapper, F, Sum, Value
    from django.db.models.functions import TruncDate

    from orders.models import ReturnLine, ReturnRequest

    return (
        ReturnLine.objects.filter(
            return_request__status=ReturnRequest.Status.ACCEPTED,
            return_request__decided_at__gte=start,
            return_request__decided_at__lt=end,
        )
        .order_by()
        .values(
            rollup_day=TruncDate("return_request__decided_at"),
            rollup_cooperative=F("order_line__seller_order__cooperative_id"),
            rollup_category=F("order_line__product__category_id"),
            rollup_province=F("order_line__seller_order__cooperative__province_id"),
            rollup_commune=F("order_line__seller_order__cooperative__commune"),
            rollup_cross_border=registered_abroad("order_line__seller_order__cooperative"),
        )
        .annotate(
            rollup_refunds=Sum(
                ExpressionWrapper(
                    F("order_line__line_total")
                    * Value(Decimal("1.000000"))
                    * F("quantity")
                    / F("order_line__quantity"),
                    output_field=DecimalField(max_digits=24, decimal_places=6),
                )
            )
        )
    )
