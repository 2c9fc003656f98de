"""The regulator's monitoring dashboard in the browser (issue 12): 18 months of charts,
filtered to a province and a category, a drill-down to a cooperative, a table downloaded
with its filters written in it; axe finds nothing serious, charts included."""

import csv
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, TOTP_SECRET, RegulatorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _eighteen_months():
    """Two cooperatives of Bali and Jawa Barat selling every month for 18 months."""
    from catalog.services.categories import category_ensure
    from orders.models import Order, SellerOrder
    from policy.services.rollups import rollups_rebuild
    from policy.services.taxes import taxes_seed_defaults
    from tests.factories import ProvinceFactory, UserFactory, listing, place_order, seller

    taxes_seed_defaults(country="ID")
    food = category_ensure(slug="food-and-beverages", name="Food & beverages")
    crafts = category_ensure(slug="crafts", name="Crafts")
    bali = ProvinceFactory(code="ID-BA", name="Bali")
    java = ProvinceFactory(code="ID-JB", name="Jawa Barat")
    alpha, alpha_manager = seller("ID", legal_name="Koperasi Madu Bali", province=bali)
    beta, beta_manager = seller("ID", legal_name="Koperasi Kopi Garut", province=java)
    honey = listing(
        alpha, alpha_manager, food, title="Honey", price="60000", stock=999, publish=True
    )
    basket = listing(
        alpha, alpha_manager, crafts, title="Basket", price="90000", stock=999, publish=True
    )
    coffee = listing(
        beta, beta_manager, food, title="Coffee", price="45000", stock=999, publish=True
    )
    buyer = UserFactory()
    now = timezone.now()
    for month in range(18):
        when = now - timedelta(days=30 * month + 2)
        for product, quantity in ((honey, 1 + month % 3), (basket, 1), (coffee, 2 + month % 4)):
            order = place_order(buyer, product, quantity=quantity)
            Order.objects.filter(pk=order.pk).update(created_at=when)
            SellerOrder.objects.filter(order=order).update(created_at=when)
    rollups_rebuild(first=(now - timedelta(days=30 * 18 + 5)).date())
    return bali, food


def _charts_drawn(page):
    """Every chart on the page is drawn: none missing, none broken."""
    charts = page.locator("img.chart").all()
    assert charts
    for chart in charts:
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )


def test_the_regulator_filters_drills_down_and_downloads(
    browser_context_for, log_in, artifacts, assert_accessible
):
    RegulatorFactory(email="inspector@example.test")
    bali, food = _eighteen_months()
    page = browser_context_for(width=1280)
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=page)
    page.goto("/regulator/")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("Period", exact=True).select_option("last_24_months")
    page.get_by_role("button", name="Apply the filters").click()
    page.get_by_role("heading", name="Sales over time").wait_for()
    _charts_drawn(page)
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "dashboard-1280.png"), full_page=True)
    page.set_viewport_size({"width": 820, "height": 1100})  # a tablet
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "dashboard-820.png"), full_page=True)

    page.get_by_role("link", name="Bali", exact=True).click()  # the province's drill-down
    page.get_by_role("heading", name="Inside Bali").wait_for()
    assert f"province={bali.pk}" in page.url
    page.get_by_label("Category", exact=True).select_option(str(food.pk))
    page.get_by_role("button", name="Apply the filters").click()
    page.get_by_role("heading", name="Monitoring dashboard: Bali").wait_for()
    assert f"category={food.pk}" in page.url and "period=last_24_months" in page.url
    _charts_drawn(page)
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "dashboard-bali-food-820.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Sales by province (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[2] == ["Province", "Bali"] and rows[3] == ["Category", "Food & beverages"]
    assert any(row and row[0] == "Bali" for row in rows[8:])

    page.get_by_role("link", name="Koperasi Madu Bali").click()
    page.get_by_role("heading", name="Koperasi Madu Bali").wait_for()
    page.get_by_text(re.compile("Its file and verification")).wait_for()
    _charts_drawn(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(artifacts / "dashboard-cooperative-1280.png"), full_page=True)

    # Last month's report, built from the page and downloaded.
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Monthly reports").wait_for()
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    page.get_by_label("Month", exact=True).select_option(f"{month:%Y-%m}")
    page.get_by_role("button", name="Build the report").click()
    page.get_by_text(re.compile("is queued")).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(month.strftime("%B %Y"))).first.click()
    page.get_by_role("heading", name=re.compile("Lokapasar monthly report")).wait_for()
    page.get_by_role("heading", name="Sales by cooperative").wait_for()
    assert "Koperasi Kopi Garut" in page.content()
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "report-1280.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "report-print.png"), full_page=True)
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Lokapasar monthly report"] and rows[1][1] == month.isoformat()
    assert ["Sales by cooperative"] in rows

    # The digital villages of the year under way.
    page.get_by_role("link", name="Villages", exact=True).click()
    page.get_by_role("button", name="Mark the digital villages").click()
    page.get_by_text(re.compile("are being marked")).wait_for()
    page.get_by_role("columnheader", name="Active cooperatives").wait_for()
    assert_accessible(page)
    page.set_viewport_size({"width": 820, "height": 1100})
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "villages-820.png"), full_page=True)
