"""Demo orders in every status, spread over the last 18 months.

Each order is placed and moved through the real services (cart, checkout, fulfilment),
then its dates are moved back in time: the one liberty the demo takes, so that
statements, reports and the dashboard have a history to show. Deterministic tokens make
the seeding idempotent.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from catalog.selectors import visible_products
from catalog.services.products import product_adjust_stock
from orders.models import Order, SellerOrder, SellerOrderStatusChange
from orders.services import fulfilment
from orders.services.assessment import period_of
from orders.services.cart import cart_add, cart_get
from orders.services.checkout import ShippingAddress, checkout_complete
from sellers.models import Membership

NAMESPACE = uuid.UUID("6f1c1e9a-3f55-4c1e-9d43-6c0de5a1a2b7")
# The status each demo order's parts are taken to, in turn.
JOURNEYS = [
    "paid",  # delivered, and the cash received: a completed sale, assessed for tax
    "delivered",
    "shipped",
    "confirmed",
    "placed",
    "cancelled",
    "paid",
    "on_hold",
]


def demo_orders_seed(*, buyers: list, count: int = 120) -> int:
    rng = random.Random(2026)
    products = list(visible_products().select_related("cooperative").order_by("pk"))
    by_cooperative: dict[int, list] = {}
    for product in products:
        by_cooperative.setdefault(product.cooperative_id, []).append(product)
    cooperative_ids = sorted(by_cooperative)
    if not cooperative_ids:
        return 0
    managers = {
        m.cooperative_id: m.user
        for m in Membership.objects.filter(role=Membership.Role.MANAGER).select_related("user")
    }
    created = 0
    now = timezone.now()
    for n in range(count):
        token = uuid.uuid5(NAMESPACE, f"demo-order-{n}")
        if Order.objects.filter(token=token).exists():
            continue
        buyer = buyers[n % len(buyers)]
        chosen = rng.sample(cooperative_ids, k=min(len(cooperative_ids), rng.randint(1, 3)))
        with transaction.atomic():
            cart = cart_get(user=buyer, create=True)
            cart.lines.all().delete()
            for cooperative_id in chosen:
                for product in rng.sample(by_cooperative[cooperative_id], k=rng.randint(1, 2)):
                    quantity = rng.randint(1, 3)
                    product.refresh_from_db(fields=["stock"])
                    if product.stock < quantity:
                        product_adjust_stock(
                            product=product, actor=managers[cooperative_id], delta=20
                        )
                    cart_add(cart=cart, product_id=product.pk, quantity=quantity)
            order = checkout_complete(
                buyer=buyer,
                cart=cart,
                address=ShippingAddress(
                    name=buyer.full_name or buyer.email,
                    phone="+62 812 3456 7890",
                    country="ID",
                    province="Jawa Barat",
                    commune="Cibodas",
                    street=f"Jalan Melati {n + 1}",
                ),
                payment_method=Order.Payment.ON_DELIVERY,
                token=token,
            )
            journey = JOURNEYS[n % len(JOURNEYS)]
            for seller_order in order.seller_orders.all():
                _walk(seller_order, managers[seller_order.cooperative_id], journey)
            _move_back(order, now - timedelta(days=rng.randint(0, 540), hours=rng.randint(0, 23)))
        created += 1
    return created


def _walk(seller_order: SellerOrder, manager, journey: str) -> None:
    if journey == "cancelled":
        fulfilment.seller_order_cancel(seller_order=seller_order, actor=manager, reason="Demo")
        return
    if journey == "on_hold":
        fulfilment.seller_order_hold(
            seller_order=seller_order, reason="Demo: a product of this order is under recall."
        )
        return
    steps = ["confirmed", "shipped", "delivered"]
    target = "delivered" if journey == "paid" else journey
    for step in steps[: steps.index(target) + 1] if target in steps else []:
        if step == "confirmed":
            fulfilment.seller_order_confirm(seller_order=seller_order, actor=manager)
        elif step == "shipped":
            fulfilment.seller_order_ship(
                seller_order=seller_order, actor=manager, carrier="JNE", tracking_reference="DEMO"
            )
        else:
            fulfilment.seller_order_deliver(seller_order=seller_order, actor=manager)
    if journey == "paid":
        fulfilment.seller_order_cash_received(seller_order=seller_order, actor=manager)


def _move_back(order: Order, when) -> None:
    """Demo history: the order and its trail happened at ``when`` and the days after."""
    Order.objects.filter(pk=order.pk).update(created_at=when)
    SellerOrder.objects.filter(order=order).update(created_at=when)
    for i, change in enumerate(
        SellerOrderStatusChange.objects.filter(seller_order__order=order).order_by("pk")
    ):
        SellerOrderStatusChange.objects.filter(pk=change.pk).update(
            created_at=when + timedelta(days=i)
        )
    # Cash received on delivery day: the sale completed then, in that month's tax period.
    SellerOrder.objects.filter(order=order, cash_received_at__isnull=False).update(
        cash_received_at=when + timedelta(days=3)
    )
    SellerOrder.objects.filter(order=order, completed_at__isnull=False).update(
        completed_at=when + timedelta(days=3), tax_period=period_of(when + timedelta(days=3))
    )
