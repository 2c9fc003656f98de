"""Reads of orders: a buyer sees only their orders; a cooperative only its parts."""

from django.db.models import Prefetch, QuerySet
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


def cooperative_seller_orders(*, cooperative, status: str = "") -> QuerySet[SellerOrder]:
    orders = SellerOrder.objects.filter(cooperative=cooperative).select_related("order")
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-created_at", "-id")


def cooperative_seller_order(*, cooperative, seller_order_id: int) -> SellerOrder:
    seller_order = (
        SellerOrder.objects.filter(cooperative=cooperative, pk=seller_order_id)
        .select_related("order", "order__buyer")
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
