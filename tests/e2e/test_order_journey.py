"""A buyer fills a cart from two cooperatives and checks out once; each cooperative
works on its part; one part is delivered and reviewed, the other cancelled with its
stock back."""

import re
from decimal import Decimal

import pytest

from catalog.models import Product
from catalog.services.categories import category_ensure
from catalog.services.products import product_update
from marketplace.services import provinces_seed
from orders.models import Order, Review, SellerOrder
from policy.services.taxes import taxes_seed_defaults
from sellers.models import Membership
from tests.factories import (
    PASSWORD,
    CooperativeFactory,
    UserFactory,
    listing,
    manager_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    provinces_seed(country="ID")
    taxes_seed_defaults(country="ID")  # VAT 11 %
    crafts = category_ensure(slug="household-goods", name="Household goods")
    items = {}
    for key, name, title, manager_email in (
        ("pots", "Koperasi Gerabah", "Terracotta water jug", "potter@example.test"),
        ("baskets", "Koperasi Rotan", "Rattan basket", "weaver@example.test"),
    ):
        cooperative = CooperativeFactory(legal_name=name, country="ID")
        manager = UserFactory(email=manager_email)
        manager_of(cooperative, manager)
        items[key] = listing(
            cooperative, manager, crafts, title=title, price="120000", stock=5, publish=True
        )
    UserFactory(email="shopper@example.test", full_name="Dewi Lestari")
    return items


def test_order_journey(shop, browser_context_for, log_in, artifacts, assert_accessible):
    shot = lambda page, name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"order-{name}.png"), full_page=True
    )
    buyer = browser_context_for()
    for product, quantity in ((shop["pots"], "2"), (shop["baskets"], "1")):
        buyer.goto(f"/catalog/p/{product.slug}/")
        buyer.get_by_label("Quantity").fill(quantity)
        buyer.get_by_role("button", name="Add to cart").click()
        buyer.wait_for_url("**/orders/cart/")
    assert_accessible(buyer)
    shot(buyer, "1-cart")

    log_in("shopper@example.test", PASSWORD, context_page=buyer)
    buyer.goto("/orders/cart/")
    buyer.get_by_role("link", name=re.compile("Check out")).click()
    buyer.get_by_label("Full name").fill("Dewi Lestari")
    buyer.get_by_label("Phone").fill("+62 812 3456 7890")
    buyer.get_by_label("Province").select_option(label="Jawa Barat")
    buyer.get_by_label("Street and number").fill("Jalan Melati 12")
    assert_accessible(buyer)
    buyer.get_by_role("button", name=re.compile("Continue")).click()
    buyer.wait_for_url("**/orders/checkout/review/")
    assert_accessible(buyer)
    shot(buyer, "2-review")

    # The potter raises the jug's price while the buyer reads the review: nothing is
    # placed, the review comes back with the change announced and marked.
    potter_user = Membership.objects.get(cooperative=shop["pots"].cooperative_id).user
    product_update(product=shop["pots"], actor=potter_user, price=Decimal("125000"))
    buyer.get_by_role("button", name="Place the order").click()
    alert = buyer.get_by_role("alert").filter(has_text="Your order was not placed")
    alert.wait_for()
    assert "Unit price was IDR 120,000, now IDR 125,000" in alert.inner_text()
    # Its unit price, VAT and total changed; the basket's row is untouched.
    assert buyer.locator("tr.review-table__row--changed mark").count() == 3
    assert not Order.objects.exists()
    assert_accessible(buyer)
    shot(buyer, "2b-review-prices-changed")

    buyer.get_by_role("button", name="Place the order").click()
    buyer.wait_for_url(re.compile(r".*/orders/\d+/$"))
    assert_accessible(buyer)
    order = Order.objects.get()
    assert order.seller_orders.count() == 2
    assert Product.objects.get(pk=shop["pots"].pk).stock == 3

    parts = {so.cooperative_name: so for so in order.seller_orders.all()}
    potter = browser_context_for(width=390)
    log_in("potter@example.test", PASSWORD, context_page=potter)
    potter.goto(f"/orders/selling/{parts['Koperasi Gerabah'].pk}/")
    potter.get_by_role("button", name="Confirm").click()
    potter.get_by_label("Carrier").fill("JNE")
    potter.get_by_role("button", name="Mark as shipped").click()
    potter.get_by_role("button", name="Mark as delivered").click()
    potter.get_by_text("The order is updated.").first.wait_for()
    assert_accessible(potter)
    shot(potter, "3-seller-delivered-phone")

    buyer.goto(f"/orders/{order.pk}/")
    buyer.locator("summary", has_text="Cancel this part").first.click()
    buyer.get_by_role("button", name=re.compile("Cancel this part")).first.click()
    buyer.get_by_text("This part of your order is cancelled.").wait_for()
    buyer.get_by_role("button", name=re.compile("Publish the review")).first.click()
    buyer.get_by_text("Thank you for your review.").wait_for()
    # The cancelled part is taken off what the buyer pays.
    assert buyer.get_by_text("Cancelled parts").is_visible()
    assert_accessible(buyer)
    shot(buyer, "4-buyer-sees-both-parts")

    statuses = dict(order.seller_orders.values_list("cooperative_name", "status"))
    assert statuses == {
        "Koperasi Gerabah": SellerOrder.Status.DELIVERED,
        "Koperasi Rotan": SellerOrder.Status.CANCELLED,
    }
    assert Product.objects.get(pk=shop["baskets"].pk).stock == 5  # back in stock
    assert Review.objects.filter(product=shop["pots"]).exists()
