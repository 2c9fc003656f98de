"""The world the order tests live in: the catalog's fixtures (categories, Indonesia's
default listing rules, products made and published through the catalog services), local
cooperatives with a manager and a member each, buyers with carts filled through the cart
service, and a checkout helper that goes through ``checkout_complete``."""

import itertools
import uuid

import pytest

from orders.models import Cart, Order
from orders.services.cart import cart_add, cart_get
from orders.services.checkout import ShippingAddress, checkout_complete
from sellers.models import Membership
from tests.catalog.conftest import (  # noqa: F401 (fixtures shared with the catalog tests)
    categories,
    image_upload,
    make_product,
    province,
    rules,
    seller,
)
from tests.factories import CooperativeFactory, MembershipFactory, UserFactory


def address(**overrides) -> ShippingAddress:
    fields = {
        "name": "Siti Rahayu",
        "phone": "+62 812 3456 7890",
        "country": "ID",
        "province": "Jawa Barat",
        "commune": "Desa Sukamaju",
        "street": "Jl. Merdeka 12",
    }
    return ShippingAddress(**(fields | overrides))


@pytest.fixture
def cooperative():
    """``cooperative(name=...)`` -> a verified local cooperative with a manager and a
    member; ``.manager`` and ``.member`` are their users."""
    counter = itertools.count(1)

    def make(name=None, **fields):
        n = next(counter)
        coop = CooperativeFactory(legal_name=name or f"Koperasi Tani {n}", **fields)
        coop.manager = MembershipFactory(cooperative=coop, role=Membership.Role.MANAGER).user
        coop.member = MembershipFactory(cooperative=coop, role=Membership.Role.MEMBER).user
        return coop

    return make


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def cart_with():
    """``cart_with(user, {product: quantity, ...})`` -> the user's cart holding them,
    filled through the cart service."""

    def fill(user, items) -> Cart:
        cart = cart_get(user=user, create=True)
        for product, quantity in items.items():
            cart_add(cart=cart, product_id=product.pk, quantity=quantity)
        return cart

    return fill


@pytest.fixture
def place(cart_with):
    """``place(user, {product: quantity}, payment_method=..., token=...)`` -> the Order,
    placed through ``checkout_complete``."""

    def checkout(user, items=None, *, payment_method="on_delivery", token=None, **overrides):
        cart = cart_with(user, items or {})
        return checkout_complete(
            buyer=user,
            cart=cart,
            address=address(**overrides),
            payment_method=payment_method,
            token=token or uuid.uuid4(),
        )

    return checkout


def stock_of(product) -> int:
    product.refresh_from_db(fields=["stock"])
    return product.stock


def order_count() -> int:
    return Order.objects.count()
