"""The cart: an anonymous visitor's (in the session) or an account's, merged at login."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import Product
from marketplace.models import User
from marketplace.templatetags.money import money
from orders.models import MAX_QUANTITY, Cart, CartLine
from orders.pricing import Quote, quote_price
from orders.taxes import tax_rates_for_products
from policy.services.decisions import listings_decide


class CartError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _quantity(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CartError(_("The quantity is a whole number."))
    if not 1 <= value <= MAX_QUANTITY:
        raise CartError(_("The quantity is from 1 to %(max)d.") % {"max": MAX_QUANTITY})
    return value


def cart_get(
    *,
    user: User | AnonymousUser | None = None,
    session_key: str | None = None,
    create: bool = False,
) -> Cart | None:
    """The account's cart when signed in, else the session's."""
    lookup: dict[str, object] | None = (
        {"user": user} if user is not None and user.is_authenticated else None
    )
    if lookup is None:
        if not session_key:
            return None
        lookup = {"session_key": session_key}
    cart = Cart.objects.filter(**lookup).first()
    if cart is None and create:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(**lookup)
        except IntegrityError:  # created by a parallel request of the same visitor
            cart = Cart.objects.get(**lookup)
    return cart


@transaction.atomic
def cart_add(*, cart: Cart, product_id: int, quantity: int = 1) -> CartLine:
    """Add a visible product; adding it again adds to the quantity (up to the cap)."""
    quantity = _quantity(quantity)
    product = Product.objects.for_sale().filter(pk=product_id).first()
    if product is None:
        raise CartError(_("This product is not for sale."))
    line, created = CartLine.objects.get_or_create(
        cart=cart,
        product=product,
        defaults={"quantity": quantity, "unit_price_seen": product.price},
    )
    if not created:
        if line.quantity + quantity > MAX_QUANTITY:
            raise CartError(_("The quantity is from 1 to %(max)d.") % {"max": MAX_QUANTITY})
        CartLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
        line.refresh_from_db()
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine:
    quantity = _quantity(quantity)
    line = CartLine.objects.filter(cart=cart, pk=line_id).first()
    if line is None:
        raise CartError(_("This line is not in your cart."))
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_remove(*, cart: Cart, line_id: int) -> None:
    CartLine.objects.filter(cart=cart, pk=line_id).delete()


@transaction.atomic
def cart_lines_remove_products(*, product_ids) -> int:
    """Take ``product_ids`` (ids, or a queryset of them) out of every cart, in one
    DELETE (a recall); returns how many lines went."""
    removed, _by_model = CartLine.objects.filter(product_id__in=product_ids).delete()
    return removed


def cart_merge(*, session_key: str | None, user: User) -> Cart | None:
    """At login, move the anonymous cart's lines into the account's cart (quantities add up,
    capped), then drop the anonymous cart."""
    if not session_key:
        return cart_get(user=user)
    anonymous = Cart.objects.filter(session_key=session_key, user=None).first()
    if anonymous is None:
        return cart_get(user=user)
    account = cart_get(user=user, create=True)
    assert account is not None  # create=True always returns a cart
    existing = {line.product_id: line for line in account.lines.all()}
    for line in anonymous.lines.all():
        mine = existing.get(line.product_id)
        if mine is None:
            line.cart = account
            line.save(update_fields=["cart"])
        else:
            mine.quantity = min(MAX_QUANTITY, mine.quantity + line.quantity)
            mine.save(update_fields=["quantity"])
    anonymous.delete()
    return account


@dataclass
class CartRow:
    line: CartLine
    product: Product
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What differs from the quote the buyer reviewed, when placing the order was refused.
    changes: list[str] = field(default_factory=list)

    @property
    def buyable(self) -> bool:
        return not self.problems

    @property
    def total(self) -> Decimal:
        return self.product.price * self.line.quantity


@dataclass
class CartGroup:
    cooperative: object
    rows: list[CartRow]

    @property
    def subtotal(self) -> Decimal:
        return sum((row.total for row in self.rows if row.buyable), Decimal("0"))

    @property
    def vat(self) -> Decimal:
        """VAT as checkout will compute it (``orders.pricing``)."""
        return self.quote().vat

    def quote(self) -> Quote:
        """The buyable lines, priced as checkout will price them."""
        items = [(row.product, row.line.quantity) for row in self.rows if row.buyable]
        return quote_price(
            items=items, rates=tax_rates_for_products(product for product, _q in items)
        )


def cart_review(*, cart: Cart | None) -> list[CartGroup]:
    """The cart grouped by cooperative, each line checked again now: still for sale,
    allowed by the listing policy, in stock, at the price the buyer saw."""
    if cart is None:
        return []
    lines = list(
        cart.lines.select_related("product__cooperative", "product__category").order_by(
            "product__cooperative__legal_name", "added_at", "id"
        )
    )
    decisions = listings_decide(products=[line.product for line in lines])
    groups: dict[int, CartGroup] = {}
    for line in lines:
        product = line.product
        row = CartRow(line=line, product=product)
        decision = decisions[product.pk]
        if product.status == Product.Status.RECALLED:
            row.problems.append(_("This product was recalled and cannot be bought."))
        elif not decision.allowed:
            row.problems.extend(decision.reasons)
        elif not product.is_for_sale:
            row.problems.append(_("This product is no longer for sale."))
        elif product.stock < line.quantity:
            row.problems.append(
                _("Only %(n)d left in stock.") % {"n": product.stock}
                if product.stock
                else _("Out of stock.")
            )
        if product.price != line.unit_price_seen:
            row.notes.append(
                _("The price changed since you added it (it was %(old)s).")
                % {"old": money(line.unit_price_seen)}
            )
        groups.setdefault(
            product.cooperative_id, CartGroup(cooperative=product.cooperative, rows=[])
        ).rows.append(row)
    return list(groups.values())
