"""The order is placed only at the prices the buyer reviewed: the review page carries a
signed quote; if a price, the VAT or any total differs when "Place the order" is pressed,
nothing is placed and the review is shown again with the changes highlighted."""

import json
import re
import uuid
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse

from catalog.services.products import product_update
from orders.models import Order
from orders.pricing import quote_changes, quote_price, quote_sign
from orders.services.cart import cart_add, cart_get, cart_set_quantity
from orders.services.checkout import PricesChanged
from orders.taxes import TaxRates
from policy.models import TaxRule
from policy.selectors.taxes import tax_rules_changed
from tests.factories import ProvinceFactory, UserFactory
from tests.orders.conftest import check_out, stock_of
from tests.orders.test_views import _address_form, _messages, _review_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(client, shop, buyer):
    """The buyer signed in, 2 baskets (IDR 50 000) and a pot (IDR 30 000) in the cart, the
    address given, and the review page's "Place the order" fields."""
    client.force_login(buyer)
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=shop["basket"].pk, quantity=2)
    cart_add(cart=cart, product_id=shop["pot"].pk, quantity=1)
    client.post(reverse("orders:checkout"), _address_form(ProvinceFactory()))
    return cart, _review_form(client)


INDONESIA = TaxRates(vat_rate=Decimal("0.11"), withholding_rate=Decimal("0"))


def _forged(quote: str) -> str:
    """The same signature on a payload whose basket costs 5 000 instead of 50 000."""
    payload, signature = quote.split(":", 1)  # signature: timestamp and MAC
    data = json.loads(signing.b64_decode(payload.encode()))
    for line in data["quote"]["lines"].values():
        line["unit_price"] = line["unit_price"].replace("50000", "5000")
    forged = signing.b64_encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    assert forged != payload
    return f"{forged}:{signature}"


def _nothing_placed(shop, cart):
    assert not Order.objects.exists()
    assert (stock_of(shop["basket"]), stock_of(shop["pot"])) == (10, 10)
    assert cart.lines.count() == 2


def _alert(page: str) -> str:
    found = re.search(r'<div class="callout[^"]*review-changes" role="alert".*?</div>', page, re.S)
    assert found, "the changes are announced in an alert"
    return found.group(0)


def test_the_order_is_placed_at_exactly_the_reviewed_total(client, shop, buyer, reviewed):
    _cart, placing = reviewed
    response = client.post(reverse("orders:checkout_place"), placing)
    order = Order.objects.get(buyer=buyer)
    assert response["Location"] == reverse("orders:detail", args=[order.pk])
    # 2 x 50 000 + 30 000 = 130 000; VAT 11 % = 14 300.
    assert (order.subtotal, order.vat_total, order.total) == (
        Decimal("130000"),
        Decimal("14300"),
        Decimal("144300"),
    )


def test_a_price_changed_after_the_review_is_not_placed_and_the_review_shows_it(
    client, shop, buyer, reviewed
):
    cart, placing = reviewed
    product_update(product=shop["basket"], actor=shop["alpha"].manager, price=Decimal("60000"))

    response = client.post(reverse("orders:checkout_place"), placing)

    assert response.status_code == 409
    _nothing_placed(shop, cart)
    page = response.content.decode()
    alert = _alert(page)
    assert "Your order was not placed" in alert
    assert "Rattan basket: Unit price was IDR 50,000, now IDR 60,000." in alert
    assert "Rattan basket: VAT was IDR 11,000, now IDR 13,200." in alert
    assert "Total to pay was IDR 144,300, now IDR 166,500." in alert
    # The basket's row is marked, with the change in words; the pot's row is not.
    basket_row = re.search(r'<tr class="[^"]*review-table__row--changed">.*?</tr>', page, re.S)
    assert basket_row and "Rattan basket" in basket_row.group(0)
    assert "<mark>Rattan basket: Unit price was" in basket_row.group(0)
    assert page.count("review-table__row--changed") == 1
    assert "<mark>IDR 166,500</mark>" in page

    # The review shown again carries a new quote: placing it places at the new price.
    again = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)
        for name in ("token", "quote")
    }
    response = client.post(reverse("orders:checkout_place"), again)
    order = Order.objects.get(buyer=buyer)
    assert order.total == Decimal("166500")


def test_a_vat_rate_changed_after_the_review_is_not_placed(client, shop, reviewed, monkeypatch):
    cart, placing = reviewed
    TaxRule.objects.filter(kind="vat").update(rate=Decimal("0.12"))
    tax_rules_changed()  # as the regulator's edit does

    response = client.post(reverse("orders:checkout_place"), placing)

    assert response.status_code == 409
    _nothing_placed(shop, cart)
    alert = _alert(response.content.decode())
    assert "Rattan basket: VAT was IDR 11,000, now IDR 12,000." in alert
    assert "Clay pot: VAT was IDR 3,300, now IDR 3,600." in alert
    assert "Total to pay was IDR 144,300, now IDR 145,600." in alert


def test_a_quantity_changed_in_another_tab_is_not_placed(client, shop, reviewed):
    cart, placing = reviewed
    basket_line = cart.lines.get(product=shop["basket"])
    cart_set_quantity(cart=cart, line_id=basket_line.pk, quantity=3)

    response = client.post(reverse("orders:checkout_place"), placing)

    assert response.status_code == 409
    assert not Order.objects.exists()
    assert "Rattan basket: quantity was 2, now 3." in _alert(response.content.decode())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda quote: quote[:-1] + ("A" if quote[-1] != "A" else "B"),
        lambda quote: _forged(quote),
        lambda quote: "",
        lambda quote: "x" * 100_000,
    ],
    ids=["signature", "payload", "missing", "huge"],
)
def test_a_tampered_quote_is_refused_and_nothing_is_placed(client, shop, reviewed, tamper):
    cart, placing = reviewed
    response = client.post(
        reverse("orders:checkout_place"), {**placing, "quote": tamper(placing["quote"])}
    )
    assert response["Location"] == reverse("orders:checkout_review")
    assert "The order summary could not be checked" in _messages(response)
    _nothing_placed(shop, cart)


def test_another_buyers_quote_is_refused(client, shop, reviewed):
    cart, placing = reviewed
    lines = [(line.product, line.quantity) for line in cart.lines.select_related("product")]
    theirs = quote_sign(quote=quote_price(items=lines, rates=INDONESIA), buyer_id=UserFactory().pk)
    response = client.post(reverse("orders:checkout_place"), {**placing, "quote": theirs})
    assert "The order summary could not be checked" in _messages(response)
    _nothing_placed(shop, cart)


def test_the_checkout_service_compares_under_the_locks(buyer, shop, cart_with):
    cart = cart_with(buyer, {shop["mat"]: 1})
    seen = quote_price(items=[(shop["mat"], 1)], rates=INDONESIA).summary()
    product_update(product=shop["mat"], actor=shop["alpha"].manager, price=Decimal("19999"))
    with pytest.raises(PricesChanged) as refused:
        check_out(
            buyer,
            cart,
            token=uuid.uuid4(),
            seen=seen,
        )
    # 19 999 x 11 % = 2 199.89: the VAT rounds to the same 2 200 rupiah, the totals do not.
    assert {c.what for c in refused.value.changes} == {
        "unit_price",
        "total",
        "part_subtotal",
        "part_total",
        "grand_total",
    }
    assert not Order.objects.exists()
    assert stock_of(shop["mat"]) == 10


def test_a_part_total_that_moved_without_its_lines_is_a_change(shop):
    """What a fee of the part (delivery, say) changing looks like: the lines are the
    same, the part's total and the grand total are not."""
    quote = quote_price(items=[(shop["mat"], 1)], rates=INDONESIA)
    seen = quote.summary()
    coop = str(shop["mat"].cooperative_id)
    seen["parts"][coop]["total"] = str(quote.total - 15000)
    seen["total"] = str(quote.total - 15000)
    changes = quote_changes(seen=seen, now=quote)
    assert [(c.what, c.cooperative_id, c.before, c.after) for c in changes] == [
        ("part_total", shop["mat"].cooperative_id, Decimal("7200"), Decimal("22200")),
        ("grand_total", None, Decimal("7200"), Decimal("22200")),
    ]
    assert quote_changes(seen=quote.summary(), now=quote) == []
