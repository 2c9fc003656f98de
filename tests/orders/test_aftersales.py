"""Returns within the window (refund, restock), reviews once per delivered line, one reply."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product
from orders.models import ReturnRequest, Review, SellerOrder, SellerOrderStatusChange
from orders.services import aftersales
from tests.factories import UserFactory, deliver
from tests.orders.conftest import stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(buyer, cooperative, make_product, place):
    """A delivered part: 3 baskets at 50 000 from Alpha (10 in stock before)."""
    alpha = cooperative("Koperasi Alpha")
    basket = make_product(cooperative=alpha, title="Rattan basket", price=Decimal("50000"))
    order = place(buyer, {basket: 3})
    part = order.seller_orders.get()
    deliver(part, alpha.manager)
    part.refresh_from_db()
    return part, alpha, basket


def _line(part):
    return part.lines.get()


def test_an_accepted_return_records_the_refund_and_can_restock(buyer, delivered):
    part, alpha, basket = delivered
    line = _line(part)
    request = aftersales.return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 2}, reason="Cracked"
    )
    assert stock_of(basket) == 7
    decided = aftersales.return_decide(
        return_request=request, actor=alpha.manager, accept=True, restock_items=True
    )
    assert decided.status == ReturnRequest.Status.ACCEPTED
    # Two of three lines' worth, VAT included: 2 x 50 000 x 1.11.
    assert decided.refund_amount == Decimal("111000.00")
    assert stock_of(basket) == 9


def test_a_return_is_asked_once_per_line_and_only_within_the_window(buyer, delivered, settings):
    part, _alpha, _basket = delivered
    line = _line(part)
    # Returns are part of the trail (never deleted): the window is tried first.
    settings.RETURN_WINDOW_DAYS = 14
    delivery = SellerOrderStatusChange.objects.filter(seller_order=part, to_status="delivered")
    delivered_at = delivery.get().created_at
    delivery.update(created_at=part.created_at - timedelta(days=30))
    with pytest.raises(aftersales.AftersalesError, match="14 days"):
        aftersales.return_request(
            seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Late"
        )
    assert not ReturnRequest.objects.exists()
    delivery.update(created_at=delivered_at)
    aftersales.return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Too big"
    )
    with pytest.raises(aftersales.AftersalesError, match="already"):
        aftersales.return_request(
            seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Again"
        )
    assert ReturnRequest.objects.count() == 1


@pytest.mark.parametrize("quantity", [0, 4, -1, "2", 2.5])
def test_a_return_of_a_wrong_quantity_is_refused(buyer, delivered, quantity):
    part, _alpha, _basket = delivered
    with pytest.raises(aftersales.AftersalesError):
        aftersales.return_request(
            seller_order=part, buyer=buyer, quantities={_line(part).pk: quantity}, reason="x"
        )
    assert not ReturnRequest.objects.exists()


def test_only_the_buyer_returns_and_only_the_cooperative_decides(buyer, delivered):
    part, alpha, _basket = delivered
    line = _line(part)
    with pytest.raises(aftersales.AftersalesError):
        aftersales.return_request(
            seller_order=part, buyer=UserFactory(), quantities={line.pk: 1}, reason="x"
        )
    request = aftersales.return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="x"
    )
    with pytest.raises(aftersales.AftersalesError):
        aftersales.return_decide(
            return_request=request, actor=buyer, accept=True, restock_items=True
        )
    with pytest.raises(aftersales.AftersalesError, match="why"):
        aftersales.return_decide(
            return_request=request, actor=alpha.member, accept=False, restock_items=False
        )
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.REQUESTED


def test_a_part_not_yet_delivered_cannot_be_returned_or_reviewed(
    buyer, cooperative, make_product, place
):
    alpha = cooperative()
    pot = make_product(cooperative=alpha)
    part = place(buyer, {pot: 1}).seller_orders.get()
    line = part.lines.get()
    with pytest.raises(aftersales.AftersalesError, match="delivered"):
        aftersales.return_request(
            seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="x"
        )
    with pytest.raises(aftersales.AftersalesError, match="delivered"):
        aftersales.review_create(order_line=line, buyer=buyer, rating=5)
    assert part.status == SellerOrder.Status.PLACED
    assert not Review.objects.exists()


def test_a_delivered_line_is_reviewed_once_and_the_cooperative_replies_once(
    buyer, delivered, client
):
    part, alpha, basket = delivered
    line = _line(part)
    with pytest.raises(aftersales.AftersalesError):
        aftersales.review_create(order_line=line, buyer=UserFactory(), rating=5)
    for rating in (0, 6, "5", True):
        with pytest.raises(aftersales.AftersalesError):
            aftersales.review_create(order_line=line, buyer=buyer, rating=rating)
    review = aftersales.review_create(order_line=line, buyer=buyer, rating=4, text="Sturdy")
    with pytest.raises(aftersales.AftersalesError, match="already"):
        aftersales.review_create(order_line=line, buyer=buyer, rating=5)

    with pytest.raises(aftersales.AftersalesError):
        aftersales.review_reply(review=review, actor=buyer, reply="Me too")
    aftersales.review_reply(review=review, actor=alpha.member, reply="Thank you")
    with pytest.raises(aftersales.AftersalesError, match="already"):
        aftersales.review_reply(review=review, actor=alpha.manager, reply="Again")

    page = client.get(reverse("catalog:product", args=[basket.slug])).content.decode()
    assert "Sturdy" in page and "Thank you" in page
    assert "4.0 out of 5" in page
    assert Product.objects.get(pk=basket.pk).reviews.count() == 1


def test_a_return_keeps_the_trail_of_its_moves_and_is_decided_once(buyer, delivered):
    part, alpha, _basket = delivered
    line = _line(part)
    request = aftersales.return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Cracked"
    )
    aftersales.return_decide(
        return_request=request,
        actor=alpha.manager,
        accept=False,
        restock_items=False,
        response="Damaged in use",
    )
    with pytest.raises(aftersales.AftersalesError):
        aftersales.return_decide(
            return_request=request, actor=alpha.manager, accept=True, restock_items=True
        )
    trail = list(request.status_changes.values_list("from_status", "to_status", "actor", "note"))
    assert trail == [
        ("", ReturnRequest.Status.REQUESTED, buyer.pk, "Cracked"),
        (
            ReturnRequest.Status.REQUESTED,
            ReturnRequest.Status.REFUSED,
            alpha.manager.pk,
            "Damaged in use",
        ),
    ]
    assert ReturnRequest.objects.get(pk=request.pk).status == ReturnRequest.Status.REFUSED


def test_a_partial_rupiah_refund_is_a_whole_number_of_rupiah_computed_once(
    buyer, cooperative, make_product, place
):
    """By hand: 3 x Rp 33 333 = Rp 99 999; VAT 11 % = Rp 10 999.89, rounded to Rp 11 000;
    the line costs Rp 110 999. Returning one of three refunds 110 999 / 3 = 36 999.67,
    which is Rp 37 000: the rupiah has no minor unit in cash."""
    alpha = cooperative("Koperasi Alpha")
    mat = make_product(cooperative=alpha, title="Pandan mat", price=Decimal("33333"))
    part = place(buyer, {mat: 3}).seller_orders.get()
    deliver(part, alpha.manager)
    line = part.lines.get()
    assert (line.vat_amount, line.line_total) == (Decimal("11000.00"), Decimal("110999.00"))
    request = aftersales.return_request(
        seller_order=part, buyer=buyer, quantities={line.pk: 1}, reason="Torn"
    )
    decided = aftersales.return_decide(
        return_request=request, actor=alpha.manager, accept=True, restock_items=False
    )
    decided.refresh_from_db()
    assert decided.refund_amount == Decimal("37000.00")
