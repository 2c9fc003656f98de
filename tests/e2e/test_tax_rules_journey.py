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
