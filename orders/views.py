"""Cart, checkout, the buyer's orders and the cooperative's order queue.

The anonymous cart is found through a random token kept in the session (it survives
the session key change at login, when the cart is merged into the account's).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.selectors import page_of
from marketplace.exports import csv_response
from marketplace.forms import form_refusal, page_number
from marketplace.roles import Role, role_required
from marketplace.templatetags.money import money
from orders import selectors
from orders.forms import (
    AddressForm,
    AddToCartForm,
    BulkConfirmForm,
    CancelForm,
    PlaceOrderForm,
    QuantityForm,
    ReplyForm,
    ReturnDecisionForm,
    ReturnForm,
    ReviewForm,
    SellerOrderActionForm,
    SellerQueueFilter,
)
from orders.models import Order, OrderLine, ReturnRequest, Review, SellerOrder
from orders.pricing import Quote, QuoteInvalid, quote_read, quote_sign
from orders.services import aftersales, checkout, fulfilment
from orders.services import cart as carts
from policy.selectors.taxes import cooperative_statement, cooperative_statements, month_of
from sellers.selectors import active_membership

CART_TOKEN = "cart_token"  # noqa: S105 (a session key name, not a secret)
CHECKOUT_KEY = "checkout"


def _cart(request, *, create: bool = False):
    token = request.session.get(CART_TOKEN)
    if create and not request.user.is_authenticated and not token:
        token = request.session[CART_TOKEN] = secrets.token_urlsafe(24)
    return carts.cart_get(user=request.user, session_key=token, create=create)


# --- Cart ---------------------------------------------------------------------------


def cart(request):
    groups = carts.cart_review(cart=_cart(request))
    rows = [row for group in groups for row in group.rows]
    return render(
        request,
        "orders/cart.html",
        {
            "groups": groups,
            "total": sum((group.subtotal for group in groups), 0),
            "buyable": bool(rows) and all(row.buyable for row in rows),
        },
    )


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quantity from 1 to 1000."))
        return redirect("orders:cart")
    try:
        carts.cart_add(
            cart=_cart(request, create=True),
            product_id=form.cleaned_data["product"],
            quantity=form.cleaned_data["quantity"],
        )
    except carts.CartError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Added to your cart."))
    return redirect("orders:cart")


@require_POST
def cart_update(request, line_id: int):
    form = QuantityForm(request.POST)
    current = _cart(request)
    if current is None:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Choose a quantity from 1 to 1000."))
        return redirect("orders:cart")
    try:
        carts.cart_set_quantity(
            cart=current, line_id=line_id, quantity=form.cleaned_data["quantity"]
        )
    except carts.CartError as exc:
        messages.error(request, exc.message)
    return redirect("orders:cart")


@require_POST
def cart_remove(request, line_id: int):
    current = _cart(request)
    if current is not None:
        carts.cart_remove(cart=current, line_id=line_id)
    return redirect("orders:cart")


# --- Checkout -----------------------------------------------------------------------


@role_required(Role.BUYER)
def checkout_address(request):
    current = _cart(request)
    groups = carts.cart_review(cart=current)
    if not groups:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    form = AddressForm(request.POST or None, initial=request.session.get(CHECKOUT_KEY))
    if request.method == "POST" and form.is_valid():
        request.session[CHECKOUT_KEY] = form.session_data()
        return redirect("orders:checkout_review")
    return render(request, "orders/checkout_address.html", {"form": form, "groups": groups})


@role_required(Role.BUYER)
def checkout_review(request):
    data = request.session.get(CHECKOUT_KEY)
    if not data:
        return redirect("orders:checkout")
    form = AddressForm(data)
    if not form.is_valid():
        return redirect("orders:checkout")
    return _review_page(request, form=form) or redirect("orders:cart")


def _review_page(request, *, form: AddressForm, changes=(), status: int = 200):
    """The review page: what the order costs now, with a signed quote of it for "Place the
    order"; ``changes`` (from a refused placement) are highlighted. None for an empty cart."""
    groups = carts.cart_review(cart=_cart(request))
    if not groups:
        return None
    quotes = [group.quote() for group in groups]
    quote = Quote(parts=tuple(part for q in quotes for part in q.parts))
    described = _describe_changes(changes, groups)
    rows = [row for group in groups for row in group.rows]
    return render(
        request,
        "orders/checkout_review.html",
        {
            "address": form.cleaned_data,
            "payment_label": Order.Payment(form.cleaned_data["payment_method"]).label,
            "groups": groups,
            "total": quote.subtotal,
            "vat": quote.vat,
            "grand_total": quote.total,
            "buyable": all(row.buyable for row in rows),
            "token": uuid.uuid4(),
            "quote": quote_sign(quote=quote, buyer_id=request.user.pk),
            "changes": described,
            "total_changed": any(c.what == "grand_total" for c in changes),
        },
        status=status,
    )


def _describe_changes(changes, groups) -> list[str]:
    """Each change in plain words; each changed line's row gets its own."""
    rows = {row.product.pk: row for group in groups for row in group.rows}
    names = {group.cooperative.pk: group.cooperative.legal_name for group in groups}
    figures = {
        "unit_price": _("Unit price"),
        "vat": _("VAT"),
        "total": _("Total with VAT"),
        "part_subtotal": _("Subtotal"),
        "part_vat": _("VAT"),
        "part_total": _("Total with VAT"),
        "grand_total": _("Total to pay"),
    }
    # A part's totals are worth a word only when none of its lines says why they moved
    # (a fee of the part, say); the grand total always is.
    explained = {c.cooperative_id for c in changes if c.product_id is not None}
    described = []
    for change in changes:
        if change.what.startswith("part_") and change.cooperative_id in explained:
            continue
        if change.what == "added":
            text = _("%(title)s was added since you reviewed the order.") % {"title": change.title}
        elif change.what == "removed":
            text = _("%(title)s is no longer in the order.") % {"title": change.title}
        elif change.what == "quantity":
            text = _("%(title)s: quantity was %(before)s, now %(after)s.") % {
                "title": change.title,
                "before": change.before,
                "after": change.after,
            }
        else:
            subject = change.title or names.get(change.cooperative_id, "")
            values = {
                "figure": figures.get(change.what, change.what),
                "before": money(change.before) if change.before is not None else "?",
                "after": money(change.after),
            }
            text = (
                _("%(subject)s: %(figure)s was %(before)s, now %(after)s.")
                % {"subject": subject, **values}
                if subject
                else _("%(figure)s was %(before)s, now %(after)s.") % values
            )
        described.append(text)
        if change.product_id in rows:
            rows[change.product_id].changes.append(text)
    return described


@role_required(Role.BUYER)
@require_POST
def checkout_place(request):
    placing = PlaceOrderForm(request.POST)
    placing.is_valid()
    token = placing.cleaned_data.get("token")
    if token is not None:
        # A second submission of a checkout that went through lands on its order.
        placed = Order.objects.filter(token=token, buyer=request.user).first()
        if placed is not None:
            return redirect("orders:detail", placed.pk)
    data = request.session.get(CHECKOUT_KEY)
    form = AddressForm(data or None)
    if not data or not form.is_valid() or token is None:
        if data and "payment_method" in form.errors:
            messages.error(request, form.errors["payment_method"][0])
        else:
            messages.error(request, _("Your checkout expired; please check the details again."))
        return redirect("orders:checkout")
    current = _cart(request)
    if current is None:
        existing = Order.objects.filter(token=token, buyer=request.user).first()
        if existing:
            return redirect("orders:detail", existing.pk)
        return redirect("orders:cart")
    try:
        seen = quote_read(signed=placing.cleaned_data.get("quote", ""), buyer_id=request.user.pk)
    except QuoteInvalid:
        messages.error(
            request,
            _("The order summary could not be checked; review your order and place it again."),
        )
        return redirect("orders:checkout_review")
    try:
        order = checkout.checkout_complete(
            buyer=request.user,
            cart=current,
            address=form.shipping_address(),
            payment_method=form.cleaned_data["payment_method"],
            token=token,
            seen=seen,
        )
    except checkout.PricesChanged as exc:
        return _review_page(request, form=form, changes=exc.changes, status=409) or redirect(
            "orders:cart"
        )
    except checkout.CheckoutError as exc:
        messages.error(request, exc.message)
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect("orders:cart")
    request.session.pop(CHECKOUT_KEY, None)
    messages.success(
        request, _("Thank you: your order %(number)s is placed.") % {"number": order.number}
    )
    return redirect("orders:detail", order.pk)


# --- The buyer's orders ---------------------------------------------------------------


@role_required(Role.BUYER)
def my_orders(request):
    page = page_of(selectors.buyer_orders(buyer=request.user), number=page_number(request), size=20)
    return render(request, "orders/my_orders.html", {"page": page})


@role_required(Role.BUYER)
def order_detail(request, pk: int):
    order = selectors.buyer_order(buyer=request.user, order_id=pk)
    return render(request, "orders/order_detail.html", {"order": order})


@role_required(Role.BUYER)
@require_POST
def buyer_cancel(request, pk: int, part: int):
    order = selectors.buyer_order(buyer=request.user, order_id=pk)
    seller_order = get_object_or_404(SellerOrder, pk=part, order=order)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect("orders:detail", order.pk)
    try:
        fulfilment.seller_order_cancel(
            seller_order=seller_order, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except fulfilment.FulfilmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This part of your order is cancelled."))
    return redirect("orders:detail", order.pk)


# --- The cooperative's orders -------------------------------------------------------------


def _cooperative(request):
    membership = active_membership(user=request.user, session=request.session)
    if membership is None:
        raise PermissionDenied
    return membership


@role_required(Role.MEMBER)
def seller_queue(request):
    membership = _cooperative(request)
    queue = SellerQueueFilter(request.GET)
    status, search = queue.filters()
    page = page_of(
        selectors.cooperative_seller_orders(
            cooperative=membership.cooperative, status=status, search=search
        ),
        number=page_number(request),
        size=50,
    )
    return render(
        request,
        "orders/seller_queue.html",
        {
            "membership": membership,
            "cooperative": membership.cooperative,
            "page": page,
            "queue": queue,
            "status": status,
            "search": search,
            "statuses": queue.fields["status"].choices,
        },
    )


@role_required(Role.MEMBER)
@require_POST
def seller_bulk_confirm(request):
    membership = _cooperative(request)
    form = BulkConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect("orders:seller_queue")
    ids = form.cleaned_data["seller_orders"]
    confirmed, refused = 0, 0
    for seller_order in SellerOrder.objects.filter(
        pk__in=ids, cooperative=membership.cooperative
    ).order_by("pk"):
        try:
            with transaction.atomic():
                fulfilment.seller_order_confirm(seller_order=seller_order, actor=request.user)
            confirmed += 1
        except fulfilment.FulfilmentError:
            refused += 1
    if confirmed:
        messages.success(request, _("%(n)d order(s) confirmed.") % {"n": confirmed})
    if refused:
        messages.error(request, _("%(n)d order(s) could not be confirmed.") % {"n": refused})
    return redirect("orders:seller_queue")


SELLER_ACTIONS = {
    "confirm": fulfilment.seller_order_confirm,
    "deliver": fulfilment.seller_order_deliver,
    "cash": fulfilment.seller_order_cash_received,
}


@role_required(Role.MEMBER)
def seller_order(request, pk: int):
    membership = _cooperative(request)
    seller_order = selectors.cooperative_seller_order(
        cooperative=membership.cooperative, seller_order_id=pk
    )
    ship_form = SellerOrderActionForm(request.POST or None)
    if request.method == "POST":
        if not ship_form.is_valid():
            messages.error(request, form_refusal(ship_form))
            return redirect("orders:seller_order", pk)
        move = ship_form.cleaned_data
        try:
            if move["action"] in SELLER_ACTIONS:
                SELLER_ACTIONS[move["action"]](seller_order=seller_order, actor=request.user)
            elif move["action"] == "ship":
                fulfilment.seller_order_ship(
                    seller_order=seller_order,
                    actor=request.user,
                    carrier=move["carrier"],
                    tracking_reference=move["tracking_reference"],
                )
            else:
                fulfilment.seller_order_cancel(
                    seller_order=seller_order, actor=request.user, reason=move["reason"]
                )
        except fulfilment.FulfilmentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The order is updated."))
        return redirect("orders:seller_order", pk)
    return render(
        request,
        "orders/seller_order.html",
        {
            "membership": membership,
            "cooperative": membership.cooperative,
            "seller_order": seller_order,
            "ship_form": ship_form,
        },
    )


@role_required(Role.MEMBER)
def packing_slip(request, pk: int):
    membership = _cooperative(request)
    seller_order = selectors.cooperative_seller_order(
        cooperative=membership.cooperative, seller_order_id=pk
    )
    return render(request, "orders/packing_slip.html", {"seller_order": seller_order})


# --- After delivery: returns and reviews ---------------------------------------------------


@role_required(Role.BUYER)
@require_POST
def return_create(request, pk: int, part: int):
    order = selectors.buyer_order(buyer=request.user, order_id=pk)
    seller_order = get_object_or_404(SellerOrder, pk=part, order=order)
    form = ReturnForm(request.POST, lines=list(seller_order.lines.all()))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("orders:detail", order.pk)
    try:
        aftersales.return_request(
            seller_order=seller_order,
            buyer=request.user,
            quantities=form.quantities(),
            reason=form.cleaned_data["reason"],
        )
    except aftersales.AftersalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your return request is sent to the cooperative."))
    return redirect("orders:detail", order.pk)


@role_required(Role.MEMBER)
@require_POST
def return_decide(request, pk: int, return_pk: int):
    membership = _cooperative(request)
    seller_order = selectors.cooperative_seller_order(
        cooperative=membership.cooperative, seller_order_id=pk
    )
    request_ = get_object_or_404(ReturnRequest, pk=return_pk, seller_order=seller_order)
    form = ReturnDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or refuse the return."))
        return redirect("orders:seller_order", pk)
    try:
        aftersales.return_decide(
            return_request=request_,
            actor=request.user,
            accept=form.cleaned_data["decision"] == "accept",
            restock_items=form.cleaned_data["restock"],
            response=form.cleaned_data["response"],
        )
    except aftersales.AftersalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The return is decided; the buyer is told."))
    return redirect("orders:seller_order", pk)


@role_required(Role.BUYER)
@require_POST
def review_create(request, line_id: int):
    line = get_object_or_404(
        OrderLine.objects.select_related("seller_order__order"),
        pk=line_id,
        seller_order__order__buyer=request.user,
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give from 1 to 5 stars."))
        return redirect("orders:detail", line.seller_order.order_id)
    try:
        aftersales.review_create(
            order_line=line,
            buyer=request.user,
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        )
    except aftersales.AftersalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you for your review."))
    return redirect("orders:detail", line.seller_order.order_id)


@role_required(Role.MEMBER)
@require_POST
def review_reply(request, review_pk: int):
    membership = _cooperative(request)
    review = get_object_or_404(
        Review.objects.select_related("product", "order_line"),
        pk=review_pk,
        product__cooperative=membership.cooperative,
    )
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect("orders:seller_order", review.order_line.seller_order_id)
    try:
        aftersales.review_reply(review=review, actor=request.user, reply=form.cleaned_data["reply"])
    except aftersales.AftersalesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your reply is published."))
    return redirect("orders:seller_order", review.order_line.seller_order_id)


# --- Statements (the cooperative's side of tax collection) -------------------------------


def _statement_period(year: int, month: int) -> date:
    period = month_of(year, month)
    if period is None:
        raise Http404
    return period


def _statement_rows(*, cooperative_id: int, period) -> list[dict]:
    """The month's sales, then its returns (negative), as the statement lists them."""
    sales, returns = selectors.statement_lines(cooperative_id=cooperative_id, period=period)
    rows = [
        {
            "seller_order": line.seller_order_id,
            "number": Order.number_for(line.seller_order.order_id),
            "title": line.title,
            "quantity": line.quantity,
            "net": line.unit_price * line.quantity,
            "vat": line.vat_amount,
            "withheld": line.withholding_amount,
        }
        for line in sales
    ]
    rows += [
        {
            "seller_order": back.order_line.seller_order_id,
            "number": Order.number_for(back.order_line.seller_order.order_id),
            "title": _("Return: %(title)s") % {"title": back.order_line.title},
            "quantity": -back.quantity,
            "net": -(back.order_line.unit_price * back.quantity),
            "vat": None,
            "withheld": None,
        }
        for back in returns
    ]
    return rows


@role_required(Role.MEMBER)
def statements(request):
    """The cooperative's statement per assessed period, newest first."""
    membership = _cooperative(request)
    return render(
        request,
        "orders/statements.html",
        {
            "cooperative": membership.cooperative,
            "statements": cooperative_statements(cooperative_id=membership.cooperative_id),
        },
    )


@role_required(Role.MEMBER)
def statement(request, year: int, month: int):
    """One period, line by line, with links to the order parts (a printable page)."""
    membership = _cooperative(request)
    period = _statement_period(year, month)
    summary = cooperative_statement(cooperative_id=membership.cooperative_id, period=period)
    if summary is None:
        raise Http404
    return render(
        request,
        "orders/statement.html",
        {
            "cooperative": membership.cooperative,
            "summary": summary,
            "rows": _statement_rows(cooperative_id=membership.cooperative_id, period=period),
        },
    )


@role_required(Role.MEMBER)
def statement_csv(request, year: int, month: int):
    membership = _cooperative(request)
    period = _statement_period(year, month)
    summary = cooperative_statement(cooperative_id=membership.cooperative_id, period=period)
    if summary is None:
        raise Http404
    lines = _statement_rows(cooperative_id=membership.cooperative_id, period=period)

    def rows():
        yield [_("Cooperative"), membership.cooperative.legal_name]
        yield [_("Period"), f"{period:%Y-%m}"]
        yield []
        yield [_("Order"), _("Product"), _("Quantity"), _("Sales"), _("VAT"), _("Withheld")]
        for row in lines:
            yield [
                row["number"],
                row["title"],
                row["quantity"],
                row["net"],
                row["vat"],
                row["withheld"],
            ]
        yield []
        yield [_("Completed sales"), summary.gross]
        yield [_("Returns"), summary.returned]
        yield [_("Platform commission"), summary.commission]
        yield [_("Tax withheld"), summary.withheld]
        yield [_("Payout"), summary.payout]

    return csv_response(filename=f"statement-{period:%Y-%m}.csv", rows=rows())
