"""The regulator's quality tools on one coffee: certified 4 stars (the badge shows in
search and on the storefront, the public check page answers), inspected (a food-safety
breach), recalled (it leaves the catalog, a buyer's unshipped order goes on hold, the
buyer who received it is emailed, the public page and feed list it), a warning the
cooperative reads in its workspace, and the recall closed."""

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
from policy.models import Inspection, Recall
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


def test_oversight_journey(market, browser_context_for, log_in, artifacts, assert_accessible):
    shot = lambda page, name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"oversight-{name}.png"), full_page=True
    )
    product = market["product"]
    regulator = browser_context_for()
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=regulator)

    # The regulator certifies the coffee 4 stars; the badge shows in search and storefront.
    regulator.goto(f"/regulator/listings/{product.pk}/certify/")
    regulator.get_by_label("Certificate number").fill("OCOP-ACEH-2026-0042")
    regulator.get_by_label("Product and community strength").fill("32")
    regulator.get_by_label("Marketing").fill("18")
    regulator.get_by_label("Quality", exact=True).fill("27")
    assert_accessible(regulator)
    regulator.get_by_role("button", name="Award the certificate").click()
    regulator.get_by_text("is certified 4 stars").wait_for()
    shot(regulator, "1-certified")
    buyer = browser_context_for(width=390)
    buyer.goto("/catalog/search/?q=gayo")
    buyer.get_by_text("4-star certified").first.wait_for()
    assert_accessible(buyer)
    shot(buyer, "2-search-stars-phone")
    buyer.goto(f"/sellers/c/{product.cooperative.slug}/")
    buyer.get_by_text("4-star certified").first.wait_for()
    buyer.goto("/certificates/check/?number=OCOP-ACEH-2026-0042")
    buyer.get_by_text(re.compile("valid", re.I)).first.wait_for()
    assert_accessible(buyer)
    shot(buyer, "3-certificate-check-phone")

    # An inspection finds a food-safety breach, with a laboratory report attached.
    regulator.goto(f"/regulator/listings/{product.pk}/inspect/")
    regulator.get_by_label("Food-safety breach").check()
    regulator.get_by_label("Recall", exact=True).check()
    regulator.get_by_label("Internal notes").fill(
        "Samples 12-A and 12-B: aflatoxin B1 at 18 µg/kg."
    )
    regulator.get_by_label("Evidence files").set_input_files(
        files=[{"name": "lab-report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 lab"}]
    )
    assert_accessible(regulator)
    regulator.get_by_role("button", name="Record the inspection").click()
    regulator.get_by_text("The inspection is recorded.").wait_for()
    assert_accessible(regulator)
    shot(regulator, "4-inspection")

    # From the inspection, the regulator recalls the product.
    regulator.get_by_role("link", name="Recall the product").click()
    regulator.get_by_label("Hazard").fill("Aflatoxin above the legal limit in batch 12.")
    regulator.get_by_label("Risk level").select_option("serious")
    regulator.get_by_label("Measures taken").fill("Withdrawn from sale; batch destroyed.")
    regulator.get_by_label("Dispose of it safely").check()
    assert_accessible(regulator)
    shot(regulator, "5-recall-form")
    regulator.get_by_role("button", name="Recall", exact=True).click()
    regulator.get_by_text(re.compile(r"Recall RC-\d+ is open: 1 products left")).wait_for()
    assert_accessible(regulator)
    shot(regulator, "6-recall-opened")

    recall = Recall.objects.get()
    product.refresh_from_db()
    assert product.status == Product.Status.RECALLED
    assert Inspection.objects.get().outcome_done_at is not None
    market["unshipped"].refresh_from_db()
    assert market["unshipped"].status == SellerOrder.Status.ON_HOLD
    # The buyer who received it is emailed (in the outbox), and so is the one waiting.
    assert OutgoingEmail.objects.filter(to=["received@example.test"]).exists()
    assert OutgoingEmail.objects.filter(to=["waiting@example.test"]).exists()
    waiting = browser_context_for(width=390)
    log_in("waiting@example.test", PASSWORD, context_page=waiting)
    waiting.goto(f"/orders/{market['unshipped'].order_id}/")
    waiting.get_by_text("On hold").first.wait_for()
    assert_accessible(waiting)
    shot(waiting, "7-order-on-hold-phone")

    # Anyone, on a phone: the public page and its feed list it; the catalog no longer does.
    buyer.goto("/recalls/")
    buyer.get_by_role("link", name="Gayo arabica, ground").wait_for()
    buyer.get_by_text("Dispose of it safely").first.wait_for()
    assert_accessible(buyer)
    shot(buyer, "8-recalls-phone")
    buyer.get_by_label("Risk level").select_option("low")
    buyer.get_by_role("button", name="Filter").click()
    buyer.get_by_text("No recall matches.").wait_for()
    buyer.goto(f"/recalls/{recall.pk}/")
    assert_accessible(buyer)
    feed = buyer.request.get("/recalls/feed.atom")
    assert feed.ok and "Gayo arabica, ground" in feed.text()
    buyer.goto("/catalog/search/?q=gayo")
    assert buyer.get_by_role("link", name="Gayo arabica, ground").count() == 0

    # A warning, which the cooperative's manager reads in the workspace.
    regulator.goto(f"/regulator/cooperatives/{product.cooperative_id}/sanctions/")
    regulator.get_by_label("Reason").fill("Batch records missing for the coffee sold last month.")
    assert_accessible(regulator)
    regulator.get_by_role("button", name="Issue the sanction").click()
    regulator.get_by_text("The sanction is issued").wait_for()
    shot(regulator, "9-warning")
    manager = browser_context_for()
    log_in("gayo@example.test", PASSWORD, context_page=manager)
    manager.goto("/sellers/workspace/")
    manager.get_by_text("Batch records missing for the coffee sold last month.").wait_for()
    manager.get_by_text("Food-safety breach").first.wait_for()
    assert manager.get_by_text("aflatoxin B1 at 18").count() == 0  # notes stay private
    assert_accessible(manager)
    shot(manager, "10-workspace-warning")

    # The regulator closes the recall: the product stays off sale until relisted.
    regulator.goto(f"/regulator/recalls/{recall.pk}/")
    regulator.get_by_label("Closing note").fill("Laboratory clear on the new batch.")
    regulator.get_by_role("button", name="Close the recall").click()
    regulator.get_by_text(re.compile("The recall is closed")).wait_for()
    assert_accessible(regulator)
    shot(regulator, "11-recall-closed")
    product.refresh_from_db()
    assert product.status == Product.Status.UNPUBLISHED
    regulator.goto("/regulator/")
    assert_accessible(regulator)
    shot(regulator, "12-queues")
