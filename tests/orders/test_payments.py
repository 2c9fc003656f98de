"""Payment providers are enabled by a setting; the sandbox (paid with nothing paid) only
in development and tests: production refuses it, and a buyer cannot name it."""

import subprocess
import sys
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from orders.payments import check_payment_providers
from orders.services.cart import cart_add, cart_get
from orders.services.checkout import PaymentNotOffered, checkout_complete
from orders.views import CHECKOUT_KEY
from tests.factories import ProvinceFactory
from tests.marketplace.test_settings import ROOT, _production_env
from tests.orders.conftest import address, stock_of
from tests.orders.test_views import _address_form, _messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_providers(settings):
    settings.PAYMENT_PROVIDERS = ["on_delivery"]
    return settings


@pytest.fixture
def shopper(client, buyer, cooperative, make_product):
    basket = make_product(cooperative=cooperative(), title="Rattan basket", price=Decimal("50000"))
    client.force_login(buyer)
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=basket.pk, quantity=2)
    cart.basket = basket
    return cart


def test_a_disabled_sandbox_is_not_offered_and_a_post_naming_it_is_refused(
    client, shopper, production_providers
):
    page = client.get(reverse("orders:checkout")).content.decode()
    assert 'value="on_delivery"' in page and 'value="sandbox"' not in page

    response = client.post(
        reverse("orders:checkout"), _address_form(ProvinceFactory(), payment_method="sandbox")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["payment_method"] == [
        "Select a valid choice. This payment method is not offered."
    ]
    assert CHECKOUT_KEY not in client.session


def test_a_checkout_chosen_with_the_sandbox_is_not_placed_once_it_is_disabled(
    client, buyer, shopper, settings
):
    client.post(
        reverse("orders:checkout"), _address_form(ProvinceFactory(), payment_method="sandbox")
    )
    review = client.get(reverse("orders:checkout_review"))
    settings.PAYMENT_PROVIDERS = ["on_delivery"]
    response = client.post(
        reverse("orders:checkout_place"),
        {"token": review.context["token"], "quote": review.context["quote"]},
    )
    assert response["Location"] == reverse("orders:checkout")
    assert "This payment method is not offered." in _messages(response)
    assert not Order.objects.exists()
    assert stock_of(shopper.basket) == 10 and shopper.lines.count() == 1


@pytest.mark.parametrize("method", ["sandbox", "FREE", "on_delivery "])
def test_the_checkout_service_refuses_a_provider_that_is_not_enabled(
    buyer, shopper, production_providers, method
):
    with pytest.raises(PaymentNotOffered) as refused:
        checkout_complete(
            buyer=buyer, cart=shopper, address=address(), payment_method=method, token=uuid.uuid4()
        )
    assert refused.value.message == "This payment method is not offered."
    assert not Order.objects.exists()
    assert stock_of(shopper.basket) == 10


def test_the_enabled_sandbox_still_settles_in_tests(buyer, shopper):
    order = checkout_complete(
        buyer=buyer, cart=shopper, address=address(), payment_method="sandbox", token=uuid.uuid4()
    )
    assert order.paid_at is not None


def test_the_system_check_refuses_the_sandbox_with_debug_off(settings):
    settings.PAYMENT_PROVIDERS = ["on_delivery", "sandbox"]
    settings.DEBUG = False
    assert [e.id for e in check_payment_providers()] == ["orders.E003"]
    settings.DEBUG = True
    assert check_payment_providers() == []
    settings.PAYMENT_PROVIDERS = ["on_delivery", "paypal"]
    assert [e.id for e in check_payment_providers()] == ["orders.E001"]


def test_production_offers_pay_on_delivery_only_and_refuses_to_start_with_the_sandbox(tmp_path):
    env = _production_env(tmp_path)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(','.join(settings.PAYMENT_PROVIDERS))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().splitlines()[-1] == "on_delivery"
    env["PAYMENT_PROVIDERS"] = "on_delivery,sandbox"
    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert check.returncode != 0
    assert "orders.E003" in check.stderr + check.stdout
