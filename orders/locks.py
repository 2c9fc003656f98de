"""Row locks on the orders' tables, in one place and one order.

A service locks at most one seller order (or one return) of its own, and takes the
catalog's product locks (``catalog.locks``, primary-key order) after it: every
transaction that holds both takes them in that order, so none can deadlock another.
"""

from __future__ import annotations

from orders.models import ReturnRequest, SellerOrder


def seller_order_lock(*, seller_order_id: int, related: tuple[str, ...] = ("order",)):
    return SellerOrder.objects.select_for_update().select_related(*related).get(pk=seller_order_id)


def return_request_lock(*, return_request_id: int) -> ReturnRequest:
    return (
        ReturnRequest.objects.select_for_update()
        .select_related("seller_order")
        .get(pk=return_request_id)
    )
