"""One rule says whether a product is for sale: the catalog, the product page, the
storefront, the cart and checkout give the same answer for every reason it is not."""

import uuid

import pytest
from django.urls import reverse

from catalog import selectors
from catalog.models import Product, ProductStatusChange
from catalog.services.products import product_archive, product_unpublish
from catalog.services.status import products_status_set
from orders.services.cart import CartError, cart_add, cart_get, cart_review
from orders.services.checkout import ItemsUnavailable
from sellers.services import cooperative_suspend
from tests.factories import RegulatorFactory
from tests.orders.conftest import check_out

pytestmark = pytest.mark.django_db

Trigger = ProductStatusChange.Trigger


def _manager(product):
    return product.cooperative.memberships.first().user


def _move(product, to_status, trigger):
    products_status_set(
        products=Product.objects.filter(pk=product.pk),
        to_status=to_status,
        actor=None,
        trigger=trigger,
    )


REASONS = {
    "unpublished": lambda p: product_unpublish(product=p, actor=_manager(p)),
    "archived": lambda p: product_archive(product=p, actor=_manager(p)),
    "blocked": lambda p: _move(p, Product.Status.BLOCKED, Trigger.POLICY),
    "suspended by a rule": lambda p: _move(p, Product.Status.SUSPENDED, Trigger.POLICY),
    "recalled": lambda p: _move(p, Product.Status.RECALLED, Trigger.RECALL),
    "its cooperative suspended": lambda p: cooperative_suspend(
        cooperative=p.cooperative, actor=RegulatorFactory(), reason="Audit"
    ),
}


@pytest.mark.parametrize("reason", REASONS)
def test_every_page_and_step_agrees_a_product_is_not_for_sale(
    reason, client, buyer, cooperative, make_product, cart_with
):
    coop = cooperative()
    product = make_product(cooperative=coop)
    other = make_product(cooperative=coop)
    cart = cart_with(buyer, {product: 1, other: 1})
    assert product.is_for_sale

    REASONS[reason](product)
    product = Product.objects.select_related("cooperative").get(pk=product.pk)

    assert not product.is_for_sale
    assert not Product.objects.for_sale().filter(pk=product.pk).exists()
    # The catalog, its search and the storefront leave it out.
    found = selectors.product_search(filters=selectors.ProductFilters())
    assert product.pk not in {p.pk for p in found}
    assert product.pk not in {p.pk for p in selectors.storefront_products(cooperative=coop)}
    # Its page is not public.
    page = client.get(reverse("catalog:product", args=[product.slug]))
    assert page.status_code == 404
    # The cart refuses it and flags it; checkout refuses it.
    with pytest.raises(CartError):
        cart_add(cart=cart, product_id=product.pk)
    rows = {row.product.pk: row for group in cart_review(cart=cart) for row in group.rows}
    assert not rows[product.pk].buyable
    with pytest.raises(ItemsUnavailable):
        check_out(
            buyer,
            cart,
            token=uuid.uuid4(),
        )


def test_a_draft_is_not_for_sale_anywhere(client, buyer, make_product):
    draft = make_product(status="draft")
    assert not draft.is_for_sale
    assert not selectors.visible_products().filter(pk=draft.pk).exists()
    assert client.get(reverse("catalog:product", args=[draft.slug])).status_code == 404
    cart = cart_get(user=buyer, create=True)
    with pytest.raises(CartError):
        cart_add(cart=cart, product_id=draft.pk)


def test_an_active_product_of_a_verified_cooperative_is_for_sale_everywhere(
    client, buyer, make_product, cart_with
):
    product = make_product()
    assert product.is_for_sale
    assert Product.objects.for_sale().filter(pk=product.pk).exists()
    assert client.get(reverse("catalog:product", args=[product.slug])).status_code == 200
    cart = cart_with(buyer, {product: 1})
    assert all(row.buyable for group in cart_review(cart=cart) for row in group.rows)
