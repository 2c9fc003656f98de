"""Pages with personal data send ``Cache-Control: private, no-store`` (issue 14, item 13):
no browser disk cache or shared proxy keeps a copy of someone's cart, orders, packing
slips, workspace, account or regulator pages."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from orders.services import fulfilment
from tests.factories import MembershipFactory, ProvinceFactory, RegulatorFactory, UserFactory
from tests.marketplace.test_url_access import ALL_PATTERNS
from tests.orders.conftest import address
from tests.url_patterns import url_for

pytestmark = pytest.mark.django_db


def _is_private_no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.fixture
def world(buyer, cooperative, make_product, place, cart_with):
    alpha = cooperative("Koperasi Alpha")
    basket = make_product(cooperative=alpha, title="Rattan basket", price=Decimal("50000"))
    order = place(buyer, {basket: 1})
    part = order.seller_orders.get()
    fulfilment.seller_order_confirm(seller_order=part, actor=alpha.manager)
    cart_with(buyer, {basket: 1})
    return buyer, alpha, basket, order, part


def test_every_personal_page_is_private_and_not_stored(world):
    buyer, alpha, basket, order, part = world
    as_buyer = Client()
    as_buyer.force_login(buyer)
    province = ProvinceFactory(country="ID")
    fields = address().__dict__ | {"province": province.pk, "payment_method": "on_delivery"}
    assert as_buyer.post(reverse("orders:checkout"), fields).status_code == 302
    as_seller = Client()
    as_seller.force_login(alpha.manager)
    as_regulator = Client()
    as_regulator.force_login(RegulatorFactory())

    pages = [
        (as_buyer, reverse("orders:cart")),
        (as_buyer, reverse("orders:checkout")),
        (as_buyer, reverse("orders:checkout_review")),
        (as_buyer, reverse("orders:mine")),
        (as_buyer, reverse("orders:detail", args=[order.pk])),
        (as_buyer, reverse("account_home")),
        (as_buyer, reverse("account_email")),
        (as_buyer, reverse("mfa_index")),
        (as_seller, reverse("orders:seller_queue")),
        (as_seller, reverse("orders:seller_order", args=[part.pk])),
        (as_seller, reverse("orders:packing_slip", args=[part.pk])),
        (as_seller, reverse("sellers:workspace")),
        (as_seller, reverse("sellers:members")),
        (as_seller, reverse("catalog:workspace_products")),
        (as_seller, reverse("catalog:product_edit", args=[basket.pk])),
        (as_regulator, reverse("policy:home")),
        (as_regulator, reverse("policy:rules")),
        (as_regulator, reverse("policy:appeals")),
        (as_regulator, reverse("sellers:verification_queue")),
        (as_regulator, reverse("sellers:verification_detail", args=[alpha.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _is_private_no_store(response), (url, response.get("Cache-Control"))


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[p.key for _, p in ALL_PATTERNS])
def test_every_url_answers_a_signed_in_person_with_private_no_store(client, name, pattern):
    """Whatever the page (or its refusal, redirect or error), a response built for a
    signed-in person is never stored."""
    user = UserFactory()
    MembershipFactory(user=user)
    client.force_login(user)
    response = client.get(url_for(pattern))
    assert _is_private_no_store(response), (pattern, response.status_code)


def test_an_anonymous_cart_is_private_but_the_public_catalog_is_not(make_product):
    basket = make_product(title="Rattan basket")
    visitor = Client()
    product_page = visitor.get(reverse("catalog:product", args=[basket.slug]))
    assert product_page.status_code == 200
    assert "no-store" not in product_page.get("Cache-Control", "")
    assert get_max_age(product_page) is None

    visitor.post(reverse("orders:cart_add"), {"product": basket.pk, "quantity": 1})
    assert _is_private_no_store(visitor.get(reverse("orders:cart")))
    # Once the visitor has a cart, every page shows it (the cart count): none is stored.
    assert _is_private_no_store(visitor.get(reverse("catalog:product", args=[basket.slug])))
