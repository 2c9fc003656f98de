"""The regulator raises VAT from next month in the browser: the rule in force ends at
the month's end, a new one starts the 1st; today's prices keep 11 %."""

import calendar
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from policy.models import TaxRule
from policy.selectors.taxes import tax_rules_in_force
from policy.services.taxes import taxes_seed_defaults
from tests.factories import PASSWORD, TOTP_SECRET, RegulatorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_regulator_raises_vat_from_next_month(
    browser_context_for, log_in, artifacts, assert_accessible
):
    RegulatorFactory(email="inspector@example.test")
    taxes_seed_defaults(country="ID")
    today = timezone.localdate()
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    next_month = (month_end + timezone.timedelta(days=1)).isoformat()

    page = browser_context_for()
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=page)
    for width in (1280, 390):  # one sign-in: a second-factor code is good once
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/regulator/taxes/")
        page.get_by_role("link", name="VAT", exact=True).wait_for()
        assert_accessible(page)
        page.screenshot(path=str(artifacts / f"tax-rules-{width}.png"), full_page=True)
    page.get_by_role("link", name="VAT", exact=True).click()
    page.get_by_label("Effective to").fill(month_end.isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Save the tax rule").click()
    page.get_by_text(re.compile("“VAT” is saved")).wait_for()
    page.get_by_role("link", name="Add a tax rule").click()
    page.get_by_label("Kind").select_option("vat")
    page.get_by_label("Tax levied").fill("VAT")
    page.get_by_label("Title").fill("VAT at 12 %")
    page.get_by_label("Rate (%)").fill("12")
    page.get_by_label("Effective from").fill(next_month)
    page.get_by_role("button", name="Save the tax rule").click()
    page.get_by_text(re.compile("“VAT at 12 %” is saved")).wait_for()
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "tax-rules-raised-390.png"), full_page=True)

    assert TaxRule.objects.get(title="VAT").effective_to == month_end
    assert TaxRule.objects.get(title="VAT at 12 %").rate == Decimal("0.1200")
    (vat,) = [rule for rule in tax_rules_in_force() if rule.kind == "vat"]
    assert vat.rate == Decimal("0.11")
    (later,) = [
        rule
        for rule in tax_rules_in_force(day=month_end + timezone.timedelta(days=1))
        if rule.kind == "vat"
    ]
    assert later.rate == Decimal("0.12")


def test_the_regulator_collects_last_month_and_remits_it(
    browser_context_for, log_in, artifacts, assert_accessible, live_server
):
    from datetime import datetime

    from catalog.services.categories import category_ensure
    from orders.services.fulfilment import seller_order_cash_received
    from policy.models import TaxAssessment, TaxPeriod
    from policy.services.collection import previous_period
    from tests.factories import UserFactory, completed_on, deliver, listing, place_order, seller

    RegulatorFactory(email="inspector@example.test")
    taxes_seed_defaults(country="ID")
    cooperative, manager = seller("ID", legal_name="Koperasi Anyaman Lontar")
    baskets = category_ensure(slug="household-goods", name="Household goods")
    basket = listing(
        cooperative, manager, baskets, title="Lontar basket", price="50000", stock=9, publish=True
    )
    part = deliver(place_order(UserFactory(), basket, quantity=2).seller_orders.get(), manager)
    part = seller_order_cash_received(seller_order=part, actor=manager)
    last = previous_period()
    when = timezone.make_aware(datetime(last.year, last.month, 15, 10))
    completed_on(part, when)

    page = browser_context_for()
    log_in("inspector@example.test", PASSWORD, totp_secret=TOTP_SECRET, context_page=page)
    page.goto("/regulator/taxes/periods/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Collect ")).click()
    page.get_by_text(re.compile("is queued")).wait_for()
    page.get_by_role("row", name=re.compile("Koperasi Anyaman Lontar")).wait_for()
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "tax-period-collected.png"), full_page=True)
    # 2 x 50 000 = 100 000 at 11 %: 11 000 VAT.
    (vat,) = TaxAssessment.objects.filter(period=last, kind="vat")
    assert (vat.gross, vat.tax) == (Decimal("100000"), Decimal("11000"))
    csv = page.request.get(f"/regulator/taxes/periods/{last.year}-{last.month}/remittance.csv")
    assert "100000.00,0.00,11000.00" in csv.text()
    xlsx = page.request.get(f"/regulator/taxes/periods/{last.year}-{last.month}/remittance.xlsx")
    assert xlsx.ok and xlsx.body()[:2] == b"PK"
    page.get_by_label("Payment reference").fill("SSP-2026-000123")
    page.get_by_role("button", name="Mark as remitted").click()
    page.get_by_text("The period is remitted and frozen.").wait_for()
    page.set_viewport_size({"width": 390, "height": 900})
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "tax-period-remitted-390.png"), full_page=True)
    assert TaxPeriod.objects.get(period=last).reference == "SSP-2026-000123"

    # The cooperative opens its statement for that month: the figures add up.
    page.get_by_label("Reference of the payout to Koperasi Anyaman Lontar").fill("TRX-0099")
    page.get_by_role("button", name="Release").click()
    page.get_by_text(re.compile("payout Released")).wait_for()
    coop = browser_context_for(width=390)
    log_in(manager.email, PASSWORD, context_page=coop)
    coop.goto("/orders/selling/statements/")
    coop.get_by_role("link", name=last.strftime("%B %Y")).click()
    coop.get_by_text("Paid (TRX-0099)").wait_for()
    assert_accessible(coop)
    coop.screenshot(path=str(artifacts / "tax-statement-390.png"), full_page=True)
    # 100 000 sales, no commission set, nothing withheld in Indonesia: 100 000 paid.
    assert coop.get_by_text("IDR 100,000").count() >= 2
