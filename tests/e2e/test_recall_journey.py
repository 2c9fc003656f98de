"""The regulator recalls a coffee the provincial laboratory found unsafe: it leaves the
catalog, a buyer's unshipped order goes on hold, the buyer who received it is emailed,
the public recall page and its feed list it; then the regulator closes the recall."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import Product
from catalog.services.categories import category_ensure
from catalog.services.photos import photo_add
from catalog.services.products import product_create, product_publish
from marketplace.models import OutgoingEmail
from orders.models import SellerOrder
from policy.models import Recall
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
    deliver,
    place_order,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (110, 70, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("coffee.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def market():
    from sellers.models import Membership

    food = category_ensure(slug="food-beverages", name="Food & beverages")
    coffee = category_ensure(slug="coffee-tea", name="Coffee & tea", parent=food)
    RegulatorFactory(email="inspector@example.test")
    cooperative = CooperativeFactory(legal_name="Koperasi Kopi Gayo", country="ID")
    manager = UserFactory(email="gayo@example.test")
    MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER, user=manager)
    product = product_create(
        cooperative=cooperative,
        actor=manager,
        category=coffee,
        title="Gayo arabica, ground",
        price=Decimal("85000"),
        stock=40,
    )
    photo_add(product=product, actor=manager, upload=_jpeg())
    product = product_publish(product=product, actor=manager)
    received = UserFactory(email="received@example.test")
    deliver(place_order(received, product).seller_orders.get(), manager)
    waiting = UserFactory(email="waiting@example.test")
    unshipped = place_order(waiting, product).seller_orders.get()
    return {"product": product, "unshipped": unshipped}


def test_recall_journey(market, browser_context_for, log_in, artifacts, assert_accessible):
    shot = lambda page, name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"recall-{name}.png"), full_page=True
    )
    regulator = browser_context_for()
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=regulator)
    regulator.goto("/regulator/recalls/")
    regulator.get_by_label("Find a product or a cooperative to recall").fill("Gayo arabica")
    regulator.get_by_role("button", name="Find").click()
    regulator.get_by_role("link", name="Gayo arabica, ground").click()
    regulator.get_by_label("Hazard").fill("Aflatoxin above the legal limit in batch 12.")
    regulator.get_by_label("Risk level").select_option("serious")
    regulator.get_by_label("Measures taken").fill("Withdrawn from sale; batch destroyed.")
    regulator.get_by_label("Dispose of it safely").check()
    assert_accessible(regulator)
    shot(regulator, "1-form")
    regulator.get_by_role("button", name="Recall", exact=True).click()
    regulator.get_by_text(re.compile(r"Recall RC-\d+ is open: 1 products left")).wait_for()
    assert_accessible(regulator)
    shot(regulator, "2-opened")

    recall = Recall.objects.get()
    product = market["product"]
    product.refresh_from_db()
    assert product.status == Product.Status.RECALLED
    market["unshipped"].refresh_from_db()
    assert market["unshipped"].status == SellerOrder.Status.ON_HOLD
    assert OutgoingEmail.objects.filter(to=["received@example.test"]).exists()
    assert OutgoingEmail.objects.filter(to=["waiting@example.test"]).exists()

    # Buyers, on a phone: the public page lists it; the catalog no longer does.
    buyer = browser_context_for(width=390)
    buyer.goto("/recalls/")
    buyer.get_by_role("link", name="Gayo arabica, ground").wait_for()
    buyer.get_by_text("Dispose of it safely").first.wait_for()
    assert_accessible(buyer)
    shot(buyer, "3-public-phone")
    buyer.get_by_label("Risk level").select_option("low")
    buyer.get_by_role("button", name="Filter").click()
    buyer.get_by_text("No recall matches.").wait_for()
    buyer.goto(f"/recalls/{recall.pk}/")
    assert_accessible(buyer)
    shot(buyer, "4-notice-phone")
    feed = buyer.request.get("/recalls/feed.atom")
    assert feed.ok and "Gayo arabica, ground" in feed.text()
    buyer.goto("/catalog/search/?q=gayo")
    assert buyer.get_by_role("link", name="Gayo arabica, ground").count() == 0

    # The regulator closes it: the product stays off sale until its seller relists it.
    regulator.goto(f"/regulator/recalls/{recall.pk}/")
    regulator.get_by_label("Closing note").fill("Laboratory clear on the new batch.")
    regulator.get_by_role("button", name="Close the recall").click()
    regulator.get_by_text(re.compile("The recall is closed")).wait_for()
    assert_accessible(regulator)
    shot(regulator, "5-closed")
    product.refresh_from_db()
    assert product.status == Product.Status.UNPUBLISHED
