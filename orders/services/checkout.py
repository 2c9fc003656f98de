"""Checkout: one order, one seller order per cooperative, stock taken without overselling.

Idempotent on the checkout token: a double-submitted or retried checkout returns the
order the first one created. Products are locked in primary-key order, every line is
judged again by the listing policy and the visibility rules, stock is checked under the
locks and taken with one conditional UPDATE; a checkout that cannot be filled fails
whole and changes nothing. The number of queries grows with the cooperatives in the
cart (none, in fact: the inserts are bulk), never with the lines.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.locks import products_lock
from catalog.pagecache import catalog_changed
from catalog.services.stock import stock_take
from marketplace.models import User
from marketplace.notifications import emails_queue
from orders.models import Cart, Order, OrderLine, SellerOrder, SellerOrderStatusChange
from orders.payments import PaymentProviderDisabled, payment_provider
from orders.pricing import QuoteChange, quote_changes, quote_price
from orders.taxes import tax_rates_for_products
from policy.services.decisions import listings_decide
from sellers.selectors import manager_emails


class CheckoutError(Exception):
    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class EmptyCart(CheckoutError):
    pass


class ItemsUnavailable(CheckoutError):
    pass


class InsufficientStock(CheckoutError):
    pass


class PaymentNotOffered(CheckoutError):
    pass


class PricesChanged(CheckoutError):
    """A price, tax or fee differs from the quote the buyer reviewed."""

    def __init__(self, message: str, *, changes: list[QuoteChange]):
        super().__init__(message)
        self.changes = changes


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    phone: str
    country: str
    province: str
    commune: str
    street: str


def checkout_complete(
    *,
    buyer: User,
    cart: Cart,
    address: ShippingAddress,
    payment_method: str,
    token: uuid.UUID,
    seen: dict[str, Any] | None = None,
) -> Order:
    """Place the order for the cart's lines; see the module docstring.

    ``seen`` is the summary of the quote the buyer reviewed (``orders.pricing``): when
    given, the order is placed only if the cart costs exactly that now, under the locks;
    otherwise ``PricesChanged`` lists what differs and nothing changes."""
    existing = Order.objects.filter(token=token).first()
    if existing is not None:
        if existing.buyer_id != buyer.pk:
            raise CheckoutError(_("This checkout belongs to someone else."))
        return existing
    if not payment_method:
        raise CheckoutError(_("Choose a payment method."))
    try:
        payment_provider(payment_method)
    except PaymentProviderDisabled:
        raise PaymentNotOffered(_("This payment method is not offered.")) from None
    try:
        return _place(
            buyer=buyer,
            cart=cart,
            address=address,
            payment=payment_method,
            token=token,
            seen=seen,
        )
    except PricesChanged:
        raise
    except CheckoutError:
        # A parallel submission of the same checkout may have taken the stock first:
        # its order is the answer to this one too.
        existing = Order.objects.filter(token=token, buyer=buyer).first()
        if existing is None:
            raise
        return existing
    except IntegrityError:
        # The same token committed by a parallel submission: that order is the answer.
        existing = Order.objects.filter(token=token, buyer=buyer).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _place(
    *,
    buyer: User,
    cart: Cart,
    address: ShippingAddress,
    payment: str,
    token: uuid.UUID,
    seen: dict[str, Any] | None,
) -> Order:
    lines = list(cart.lines.order_by("product_id"))
    if not lines:
        raise EmptyCart(_("Your cart is empty."))
    quantities = {line.product_id: line.quantity for line in lines}
    products = {
        p.pk: p
        # NO KEY UPDATE: checkouts queue for each other on these rows, but other buyers'
        # cart lines (foreign keys to them) still commit.
        for p in products_lock(products=quantities, no_key=True).select_related(
            "cooperative", "category"
        )
    }
    decisions = listings_decide(products=list(products.values()))
    unavailable, short = [], []
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None:
            unavailable.append(_("A product in your cart no longer exists."))
            continue
        if not decisions[product_id].allowed:
            unavailable.append(
                _("%(title)s: %(reason)s")
                % {"title": product.title, "reason": " ".join(decisions[product_id].reasons)}
            )
        elif not product.is_for_sale:
            unavailable.append(_("%(title)s is no longer for sale.") % {"title": product.title})
        elif product.stock < quantity:
            short.append(
                _("%(title)s: %(n)d left, you asked for %(q)d.")
                % {"title": product.title, "n": product.stock, "q": quantity}
            )
    if unavailable:
        raise ItemsUnavailable(_("Some products cannot be bought."), problems=unavailable)
    if short:
        raise InsufficientStock(_("Some products are short of stock."), problems=short)

    quote = quote_price(
        items=((products[product_id], quantity) for product_id, quantity in quantities.items()),
        rates=tax_rates_for_products(products.values()),
    )
    if seen is not None:
        changes = quote_changes(seen=seen, now=quote)
        if changes:
            raise PricesChanged(
                _("Something changed since you reviewed your order: it was not placed."),
                changes=changes,
            )
    stock_take(quantities=quantities)
    now = timezone.now()
    order = Order(
        buyer=buyer,
        token=token,
        payment_method=payment,
        ship_name=address.name,
        ship_phone=address.phone,
        ship_country=address.country,
        ship_province=address.province,
        ship_commune=address.commune,
        ship_street=address.street,
        subtotal=quote.subtotal,
        vat_total=quote.vat,
        total=quote.total,
        created_at=now,
    )
    seller_orders, order_lines = [], []
    for part in quote.parts:
        cooperative = products[part.lines[0].product_id].cooperative
        seller_order = SellerOrder(
            order=order,
            cooperative_id=part.cooperative_id,
            cooperative_name=cooperative.legal_name,
            created_at=now,
            subtotal=part.subtotal,
            vat=part.vat,
            withholding=part.withholding,
            total=part.total,
        )
        for priced in part.lines:
            product = products[priced.product_id]
            order_lines.append(
                (
                    seller_order,
                    OrderLine(
                        product=product,
                        title=product.title,
                        cooperative_name=cooperative.legal_name,
                        cooperative_country=cooperative.country,
                        unit=product.unit,
                        unit_price=priced.unit_price,
                        quantity=priced.quantity,
                        vat_rate=priced.vat_rate,
                        vat_amount=priced.vat,
                        withholding_rate=priced.withholding_rate,
                        withholding_amount=priced.withholding,
                        line_total=priced.total,
                    ),
                )
            )
        seller_orders.append(seller_order)
    order.paid_at = payment_provider(payment).charge(order=order).paid_at
    order.save()
    for seller_order in seller_orders:
        seller_order.order = order
    SellerOrder.objects.bulk_create(seller_orders)
    for seller_order, line in order_lines:
        line.seller_order = seller_order
    OrderLine.objects.bulk_create([line for _so, line in order_lines])
    SellerOrderStatusChange.objects.bulk_create(
        SellerOrderStatusChange(
            seller_order=so,
            from_status="",
            to_status=SellerOrder.Status.PLACED,
            actor=buyer,
            created_at=now,
        )
        for so in seller_orders
    )
    cart.lines.all().delete()
    _announce_order(order=order, seller_orders=seller_orders, buyer=buyer)
    catalog_changed()
    return order


def _announce_order(*, order: Order, seller_orders: list[SellerOrder], buyer: User) -> None:
    """Emails to the buyer and to each cooperative's managers, through the outbox."""
    managers = manager_emails(cooperative_ids=[so.cooperative_id for so in seller_orders])
    messages = [
        (
            [buyer.email],
            "orders/email/order_placed_subject.txt",
            "orders/email/order_placed.txt",
            {"order": order, "seller_orders": seller_orders},
        )
    ]
    messages += [
        (
            managers.get(so.cooperative_id, []),
            "orders/email/seller_order_placed_subject.txt",
            "orders/email/seller_order_placed.txt",
            {"order": order, "seller_order": so},
        )
        for so in seller_orders
    ]
    emails_queue(messages=[m for m in messages if m[0]])
