"""The world the order tests live in: the catalog's fixtures (categories, Indonesia's
default listing rules, products made and published through the catalog services), local
cooperatives with a manager and a member each, buyers with carts filled through the cart
service, and a checkout helper that goes through ``checkout_complete``."""

import itertools
import uuid
from decimal import Decimal

import pytest

from orders.models import Cart, Order
from orders.services.cart import cart_add, cart_get
from orders.services.checkout import ShippingAddress, checkout_complete
from policy.services.taxes import taxes_seed_defaults
from sellers.models import Membership
from tests.catalog.conftest import (  # noqa: F401 (fixtures shared with the catalog tests)
    categories,
    image_upload,
    make_product,
    province,
    rules,
    seller,
)
from tests.factories import CooperativeFactory, MembershipFactory, RegulatorFactory, UserFactory


@pytest.fixture(autouse=True)
def _tax_rules(request):
    """Indonesia's tax rules, as a deployment seeds them: VAT 11 %, the 0.5 % withholding
    present but disabled."""
    if request.node.get_closest_marker("django_db") is not None:
        taxes_seed_defaults(country="ID")


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
def shop(cooperative, make_product):  # noqa: F811 (the fixture, imported above)
    """Alpha's rattan basket (IDR 50 000) and pandan mat (IDR 20 000), Beta's clay pot
    (IDR 30 000)."""
    alpha, beta = cooperative("Koperasi Alpha"), cooperative("Koperasi Beta")
    return {
        "alpha": alpha,
        "beta": beta,
        "basket": make_product(cooperative=alpha, title="Rattan basket", price=Decimal("50000")),
        "mat": make_product(cooperative=alpha, title="Pandan mat", price=Decimal("20000")),
        "pot": make_product(cooperative=beta, title="Clay pot", price=Decimal("30000")),
    }


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
        return check_out(
            user, cart, payment_method=payment_method, token=token, address=address(**overrides)
        )

    return checkout


def check_out(buyer, cart, *, payment_method="on_delivery", token=None, **extra):
    """``checkout_complete`` as the review page calls it: the usual address (unless
    ``address`` is given) and a new token (unless ``token`` is)."""
    return checkout_complete(
        buyer=buyer,
        cart=cart,
        address=extra.pop("address", None) or address(),
        payment_method=payment_method,
        token=token or uuid.uuid4(),
        **extra,
    )


def require_national_standard(category):
    """A regulator's rule: listings in ``category`` need a national standard number."""
    from policy.models import ListingRule
    from policy.services.rules import rule_create

    return rule_create(
        actor=RegulatorFactory(),
        categories=[category],
        kind=ListingRule.Kind.REQUIRED_CERTIFICATE,
        title="National standard for kitchen goods",
        certificate_kind=ListingRule.Certificate.NATIONAL_STANDARD,
    )


def stock_of(product) -> int:
    product.refresh_from_db(fields=["stock"])
    return product.stock


def order_count() -> int:
    return Order.objects.count()
