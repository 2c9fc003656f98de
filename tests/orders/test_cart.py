"""The cart: quantities that add up to a cap, bad quantities refused with nothing changed,
other carts out of reach, the anonymous cart merged at login through the real login page,
and a review that says which lines cannot be bought now and why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Product, ProductStatusChange
from catalog.services.products import (
    product_adjust_stock,
    product_unpublish,
    product_update,
)
from catalog.services.status import products_status_set
from orders.models import MAX_QUANTITY, Cart, CartLine
from orders.services.cart import (
    CartError,
    cart_add,
    cart_get,
    cart_merge,
    cart_remove,
    cart_review,
    cart_set_quantity,
)
from orders.views import CART_TOKEN
from sellers.models import Cooperative
from sellers.services import cooperative_suspend
from tests.factories import PASSWORD, RegulatorFactory, UserFactory
from tests.orders.conftest import require_national_standard

pytestmark = pytest.mark.django_db

BAD_QUANTITIES = [0, -1, -1000, 2.5, "2.5", "3", "abc", "", None, True, Decimal("2"), 1001, 10**12]


def _lines(cart) -> dict[int, int]:
    return dict(cart.lines.values_list("product_id", "quantity"))


def test_adding_a_product_again_adds_to_its_quantity(buyer, make_product):
    product = make_product()
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=product.pk, quantity=2)
    line = cart_add(cart=cart, product_id=product.pk, quantity=3)
    assert line.quantity == 5
    assert _lines(cart) == {product.pk: 5}
    assert line.unit_price_seen == product.price


def test_the_quantity_may_reach_the_cap_but_not_pass_it(buyer, make_product):
    product = make_product()
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=product.pk, quantity=600)
    with pytest.raises(CartError) as raised:
        cart_add(cart=cart, product_id=product.pk, quantity=401)
    assert "1000" in raised.value.message
    assert _lines(cart) == {product.pk: 600}
    assert cart_add(cart=cart, product_id=product.pk, quantity=400).quantity == MAX_QUANTITY


@pytest.mark.parametrize("quantity", BAD_QUANTITIES, ids=repr)
def test_a_bad_quantity_is_refused_with_a_clear_error_and_adds_nothing(
    buyer, make_product, quantity
):
    product = make_product()
    cart = cart_get(user=buyer, create=True)
    with pytest.raises(CartError) as raised:
        cart_add(cart=cart, product_id=product.pk, quantity=quantity)
    assert "whole number" in raised.value.message or "from 1 to 1000" in raised.value.message
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", BAD_QUANTITIES, ids=repr)
def test_a_bad_new_quantity_is_refused_and_the_line_keeps_its_own(buyer, make_product, quantity):
    product = make_product()
    cart = cart_get(user=buyer, create=True)
    line = cart_add(cart=cart, product_id=product.pk, quantity=4)
    with pytest.raises(CartError):
        cart_set_quantity(cart=cart, line_id=line.pk, quantity=quantity)
    assert _lines(cart) == {product.pk: 4}


def test_setting_a_quantity_replaces_it(buyer, make_product):
    product = make_product()
    cart = cart_get(user=buyer, create=True)
    line = cart_add(cart=cart, product_id=product.pk, quantity=4)
    assert cart_set_quantity(cart=cart, line_id=line.pk, quantity=1).quantity == 1
    assert _lines(cart) == {product.pk: 1}


def test_another_carts_line_can_be_neither_changed_nor_removed(buyer, make_product):
    product = make_product()
    theirs = cart_get(user=UserFactory(), create=True)
    their_line = cart_add(cart=theirs, product_id=product.pk, quantity=3)
    mine = cart_get(user=buyer, create=True)
    with pytest.raises(CartError) as raised:
        cart_set_quantity(cart=mine, line_id=their_line.pk, quantity=999)
    assert "not in your cart" in raised.value.message
    cart_remove(cart=mine, line_id=their_line.pk)
    assert _lines(theirs) == {product.pk: 3}
    assert not mine.lines.exists()


def test_removing_a_line_removes_only_it(buyer, make_product):
    first, second = make_product(), make_product()
    cart = cart_get(user=buyer, create=True)
    line = cart_add(cart=cart, product_id=first.pk, quantity=1)
    cart_add(cart=cart, product_id=second.pk, quantity=2)
    cart_remove(cart=cart, line_id=line.pk)
    assert _lines(cart) == {second.pk: 2}


def test_only_products_for_sale_can_be_added(buyer, make_product, cooperative):
    draft = make_product(status="draft")
    unpublished = make_product()
    product_unpublish(product=unpublished, actor=unpublished.cooperative.memberships.first().user)
    blocked = make_product(category="coffee")  # no halal certificate
    assert blocked.status == Product.Status.BLOCKED
    suspended_coop = cooperative()
    of_suspended = make_product(cooperative=suspended_coop)
    cooperative_suspend(cooperative=suspended_coop, actor=RegulatorFactory(), reason="Audit")
    cart = cart_get(user=buyer, create=True)
    missing = Product.objects.order_by("-pk").first().pk + 1000
    for product_id in [draft.pk, unpublished.pk, blocked.pk, of_suspended.pk, missing, -1]:
        with pytest.raises(CartError) as raised:
            cart_add(cart=cart, product_id=product_id, quantity=1)
        assert "not for sale" in raised.value.message
    assert not CartLine.objects.exists()


def test_an_anonymous_cart_has_no_cart_until_something_is_added():
    assert cart_get(user=None, session_key="") is None
    assert cart_get(user=None, session_key="nothing-yet") is None
    cart = cart_get(user=None, session_key="token-1", create=True)
    assert cart.session_key == "token-1" and cart.user is None
    assert cart_get(user=None, session_key="token-1", create=True) == cart


# --- Merge at login ---------------------------------------------------------------------


def _add_anonymously(client, product, quantity):
    response = client.post(
        reverse("orders:cart_add"), {"product": product.pk, "quantity": str(quantity)}
    )
    assert response.status_code == 302


def _login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_the_anonymous_cart_joins_the_accounts_cart_at_login(client, make_product):
    shared, only_anonymous, only_account = make_product(), make_product(), make_product()
    user = UserFactory()
    account = cart_get(user=user, create=True)
    cart_add(cart=account, product_id=shared.pk, quantity=2)
    cart_add(cart=account, product_id=only_account.pk, quantity=1)

    _add_anonymously(client, shared, 3)
    _add_anonymously(client, only_anonymous, 4)
    token = client.session[CART_TOKEN]
    anonymous = Cart.objects.get(session_key=token)
    assert _lines(anonymous) == {shared.pk: 3, only_anonymous.pk: 4}

    _login(client, user)

    assert _lines(account) == {shared.pk: 5, only_anonymous.pk: 4, only_account.pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert CART_TOKEN not in client.session
    assert Cart.objects.count() == 1


def test_an_account_without_a_cart_gets_the_anonymous_one_at_login(client, make_product):
    product = make_product()
    user = UserFactory()
    _add_anonymously(client, product, 2)
    _login(client, user)
    assert _lines(cart_get(user=user)) == {product.pk: 2}
    assert not Cart.objects.filter(user=None).exists()


def test_merged_quantities_stop_at_the_cap(client, make_product):
    product = make_product(stock=5000)
    user = UserFactory()
    cart_add(cart=cart_get(user=user, create=True), product_id=product.pk, quantity=900)
    _add_anonymously(client, product, 300)
    _login(client, user)
    assert _lines(cart_get(user=user)) == {product.pk: MAX_QUANTITY}


def test_merging_a_cart_that_is_not_there_changes_nothing(buyer, make_product):
    product = make_product()
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=product.pk, quantity=1)
    assert cart_merge(session_key="no-such-cart", user=buyer) == cart
    assert cart_merge(session_key=None, user=buyer) == cart
    assert _lines(cart) == {product.pk: 1}


def test_another_accounts_cart_is_never_merged_by_its_id(buyer, make_product):
    """A session key only finds anonymous carts: an account's cart is not taken over."""
    product = make_product()
    victim = UserFactory()
    theirs = cart_get(user=victim, create=True)
    cart_add(cart=theirs, product_id=product.pk, quantity=2)
    Cart.objects.filter(pk=theirs.pk).update(session_key="leaked")
    cart_merge(session_key="leaked", user=buyer)
    assert _lines(theirs) == {product.pk: 2}
    mine = cart_get(user=buyer)
    assert mine is None or not mine.lines.exists()


# --- Review ----------------------------------------------------------------------------


def _rows(cart):
    return {row.product.pk: row for group in cart_review(cart=cart) for row in group.rows}


def test_the_review_groups_lines_by_cooperative_and_totals_what_can_be_bought(
    buyer, make_product, cooperative, cart_with
):
    alpha, beta = cooperative("Koperasi Alpha"), cooperative("Koperasi Beta")
    a1 = make_product(cooperative=alpha, price=Decimal("10000"))
    a2 = make_product(cooperative=alpha, price=Decimal("2500"))
    b1 = make_product(cooperative=beta, price=Decimal("7000"))
    cart = cart_with(buyer, {b1: 1, a1: 2, a2: 4})
    groups = cart_review(cart=cart)
    assert [group.cooperative.pk for group in groups] == [alpha.pk, beta.pk]
    assert [row.product.pk for row in groups[0].rows] == [a1.pk, a2.pk]
    assert groups[0].subtotal == Decimal("30000")
    assert groups[1].subtotal == Decimal("7000")
    assert all(row.buyable and not row.notes for group in groups for row in group.rows)
    assert cart_review(cart=None) == []


def test_the_review_flags_a_line_a_rule_now_forbids(buyer, make_product, categories, cart_with):
    product = make_product(category="household")
    fine = make_product(category="crafts")
    cart = cart_with(buyer, {product: 1, fine: 1})
    require_national_standard(categories["household"])
    rows = _rows(cart)
    assert not rows[product.pk].buyable
    assert "National standard for kitchen goods" in " ".join(rows[product.pk].problems)
    assert rows[fine.pk].buyable
    groups = cart_review(cart=cart)
    assert sum(group.subtotal for group in groups) == fine.price


def test_the_review_flags_recalled_unpublished_and_suspended_products(
    buyer, make_product, cooperative, cart_with
):
    recalled, unpublished = make_product(), make_product()
    suspended_coop = cooperative()
    of_suspended = make_product(cooperative=suspended_coop)
    cart = cart_with(buyer, {recalled: 1, unpublished: 1, of_suspended: 1})
    products_status_set(
        products=Product.objects.filter(pk=recalled.pk),
        to_status=Product.Status.RECALLED,
        actor=None,
        trigger=ProductStatusChange.Trigger.RECALL,
    )
    product_unpublish(product=unpublished, actor=unpublished.cooperative.memberships.first().user)
    cooperative_suspend(cooperative=suspended_coop, actor=RegulatorFactory(), reason="Audit")
    assert Cooperative.objects.get(pk=suspended_coop.pk).status == Cooperative.Status.SUSPENDED

    rows = _rows(cart)
    assert rows[recalled.pk].problems == ["This product was recalled and cannot be bought."]
    assert rows[unpublished.pk].problems == ["This product is no longer for sale."]
    assert rows[of_suspended.pk].problems == ["This product is no longer for sale."]


def test_the_review_flags_stock_that_ran_out_or_short(buyer, make_product, cart_with):
    sold_out, short, enough = make_product(stock=3), make_product(stock=3), make_product(stock=3)
    cart = cart_with(buyer, {sold_out: 2, short: 3, enough: 3})
    actor = sold_out.cooperative.memberships.first().user
    product_adjust_stock(product=sold_out, actor=actor, set_to=0)
    actor = short.cooperative.memberships.first().user
    product_adjust_stock(product=short, actor=actor, set_to=1)
    rows = _rows(cart)
    assert rows[sold_out.pk].problems == ["Out of stock."]
    assert rows[short.pk].problems == ["Only 1 left in stock."]
    assert rows[enough.pk].buyable


def test_the_review_says_when_the_price_changed_since_it_was_added(buyer, make_product, cart_with):
    product = make_product(price=Decimal("150000"))
    cart = cart_with(buyer, {product: 2})
    product_update(
        product=product,
        actor=product.cooperative.memberships.first().user,
        price=Decimal("175000"),
    )
    row = _rows(cart)[product.pk]
    assert row.buyable  # a new price is news, not a reason to refuse the line
    assert len(row.notes) == 1 and "150,000" in row.notes[0]  # shown as money
    assert row.total == Decimal("350000")
