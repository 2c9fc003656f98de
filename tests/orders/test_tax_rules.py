"""Tax rules (issue 11): the regulator's dated rules decide each line's rates at
checkout, hand-computed here for each country profile; lines keep their snapshot.

Rounding, stated once: each line's VAT and withholding are rounded to the currency's
unit (``marketplace.money.money_round``, half up; IDR, BIF and VND have no minor unit).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.services.categories import category_ensure
from marketplace.models import AuditEvent
from orders.models import OrderLine
from orders.pricing import quote_price
from orders.taxes import tax_rates_for_products
from policy.errors import NotAllowed, TaxRuleRefused
from policy.models import TaxRule
from policy.services.taxes import tax_rule_create, tax_rule_update, taxes_seed_defaults
from tests.factories import (
    CooperativeFactory,
    RegulatorFactory,
    UserFactory,
    deliver,
    force_login_with_mfa,
)

pytestmark = pytest.mark.django_db


def _only(country: str) -> None:
    """Replace the seeded Indonesian rules by another country profile's."""
    TaxRule.objects.all().delete()
    taxes_seed_defaults(country=country)


def _priced(*pairs):
    products = [product for product, _quantity in pairs]
    return quote_price(items=pairs, rates=tax_rates_for_products(products))


def test_indonesia_charges_11_percent_vat_and_withholds_nothing_yet(make_product):
    basket = make_product(title="Rattan basket", price=Decimal("12345"))
    (line,) = _priced((basket, 3)).lines
    # 3 x 12 345 = 37 035; 11 % = 4 073.85 -> 4 074. Withholding 0.5 % is disabled.
    assert (line.vat_rate, line.vat) == (Decimal("0.11"), Decimal("4074"))
    assert (line.withholding_rate, line.withholding) == (Decimal("0"), Decimal("0"))


def test_burundi_has_a_reduced_rate_on_food_and_exempts_farm_produce(make_product, categories):
    _only("BI")
    raw = category_ensure(slug="agricultural-raw-materials", name="Agricultural raw materials")
    beans = category_ensure(slug="green-coffee", name="Green coffee", parent=raw)
    TaxRule.objects.get(title="VAT").exempt_categories.set([raw])
    coffee = make_product(category="coffee", price=Decimal("8500"), certificate_number="H-1")
    pot = make_product(category="crafts", price=Decimal("25000"))
    green = make_product(category=beans, price=Decimal("4000"))
    lines = {line.product_id: line for line in _priced((coffee, 2), (pot, 1), (green, 5)).lines}
    # Food: 10 % of 17 000 = 1 700. Crafts: 18 % of 25 000 = 4 500. Raw beans: exempt.
    assert (lines[coffee.pk].vat_rate, lines[coffee.pk].vat) == (Decimal("0.10"), Decimal("1700"))
    assert (lines[pot.pk].vat_rate, lines[pot.pk].vat) == (Decimal("0.18"), Decimal("4500"))
    assert (lines[green.pk].vat_rate, lines[green.pk].vat) == (Decimal("0"), Decimal("0"))


def test_vietnam_withholds_vat_and_personal_income_tax_together(make_product):
    _only("VN")
    mat = make_product(title="Sedge mat", price=Decimal("150000"))
    (line,) = _priced((mat, 2)).lines
    # 300 000: 1 % VAT + 0.5 % PIT withheld = 1.5 % = 4 500; no VAT charged to the buyer.
    assert (line.withholding_rate, line.withholding) == (Decimal("0.015"), Decimal("4500"))
    assert (line.vat_rate, line.vat) == (Decimal("0"), Decimal("0"))


def test_lines_keep_their_rates_when_a_rule_changes_mid_month(make_product, buyer, place):
    regulator = RegulatorFactory()
    basket = make_product(title="Rattan basket", price=Decimal("10000"))
    first = place(buyer, {basket: 1})
    vat = TaxRule.objects.get(kind="vat")
    tax_rule_update(
        rule=vat, actor=regulator, rate=Decimal("0.12"), categories=[], exempt_categories=[]
    )
    second = place(buyer, {basket: 1})
    (before,) = OrderLine.objects.filter(seller_order__order=first)
    (after,) = OrderLine.objects.filter(seller_order__order=second)
    assert (before.vat_rate, before.vat_amount) == (Decimal("0.11"), Decimal("1100"))
    assert (after.vat_rate, after.vat_amount) == (Decimal("0.12"), Decimal("1200"))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.TAX_RULE_CHANGED).latest("pk")
    assert event.detail["rate"] == "0.1200" and event.detail["change"] == "updated"


def test_a_rule_from_next_month_does_not_apply_today(make_product):
    regulator = RegulatorFactory()
    today = timezone.localdate()
    vat = TaxRule.objects.get(kind="vat")
    tax_rule_update(
        rule=vat, actor=regulator, effective_to=today, categories=[], exempt_categories=[]
    )
    tax_rule_create(
        actor=regulator,
        kind="vat",
        levy="VAT",
        title="VAT from next month",
        rate=Decimal("0.12"),
        effective_from=today + timedelta(days=1),
    )
    (line,) = _priced((make_product(price=Decimal("10000")), 1)).lines
    assert line.vat_rate == Decimal("0.11")


def test_seller_scope_and_turnover_decide_who_is_withheld(make_product, seller, buyer, place):
    regulator = RegulatorFactory()
    foreign, _user = seller(country="CN")
    tax_rule_create(
        actor=regulator,
        kind="withholding",
        levy="Income tax",
        title="Cross-border withholding",
        rate=Decimal("0.02"),
        sellers=TaxRule.Sellers.CROSS_BORDER,
    )
    big, small = CooperativeFactory(), CooperativeFactory()
    sold = make_product(cooperative=big, price=Decimal("600000"))
    deliver(place(buyer, {sold: 2}).seller_orders.get(), big.memberships.first().user)
    tax_rule_create(
        actor=regulator,
        kind="withholding",
        levy="Turnover tax",
        title="Withholding above one million a year",
        rate=Decimal("0.01"),
        min_yearly_turnover=Decimal("1000000"),
    )
    rates = tax_rates_for_products(
        [
            make_product(cooperative=foreign, category="household"),
            make_product(cooperative=big),
            make_product(cooperative=small),
        ]
    )
    assert [r.withholding_rate for r in rates.values()] == [
        Decimal("0.02"),  # cross-border, turnover below the threshold
        Decimal("0.01"),  # local, 1 200 000 delivered this year
        Decimal("0"),  # local, nothing sold
    ]


def test_overlapping_rules_of_the_same_kind_tax_and_scope_are_refused(categories):
    regulator = RegulatorFactory()
    today = timezone.localdate()
    base = {"actor": regulator, "kind": "vat", "levy": "VAT", "rate": Decimal("0.12")}
    with pytest.raises(TaxRuleRefused, match="already sets this tax"):
        tax_rule_create(title="Second VAT", effective_from=today, **base)
    with pytest.raises(TaxRuleRefused, match="already sets this tax"):
        tax_rule_create(title="Later VAT", effective_from=today + timedelta(days=400), **base)
    # Another scope, a disabled rule, or another tax levied: allowed.
    tax_rule_create(title="Food VAT", categories=[categories["food"]], **base)
    tax_rule_create(title="Draft VAT", enabled=False, **base)
    tax_rule_create(
        actor=regulator, kind="withholding", levy="PIT", title="PIT", rate=Decimal("0.005")
    )
    assert TaxRule.objects.count() == 2 + 3
    for bad, message in (
        ({"rate": Decimal("1.5")}, "fraction"),
        ({"effective_to": today - timedelta(days=1), "effective_from": today}, "end before"),
        ({"levy": " "}, "tax levied"),
        ({"kind": "sales"}, "kind of tax"),
        ({"categories": [categories["food"]], "exempt_categories": [categories["food"]]}, "both"),
    ):
        with pytest.raises(TaxRuleRefused, match=message):
            tax_rule_create(**{**base, "title": "Bad", "enabled": False, **bad})
    with pytest.raises(NotAllowed):
        tax_rule_create(**{**base, "actor": UserFactory(), "title": "Mine", "enabled": False})


def test_the_regulator_edits_rules_through_the_form_and_bad_input_changes_nothing():
    regulator = RegulatorFactory()
    client = Client()
    force_login_with_mfa(client, regulator)
    assert client.get(reverse("policy:tax_rules")).status_code == 200
    url = reverse("policy:tax_rule_create")
    good = {
        "kind": "withholding",
        "levy": "Income tax",
        "title": "Withholding 0.5 %",
        "percent": "0.5",
        "sellers": "all",
        "effective_from": timezone.localdate().isoformat(),
        "enabled": "on",
    }
    for bad in (
        {**good, "percent": "150"},
        {**good, "percent": "9" * 5000},
        {**good, "title": "a\x00b"},
        {**good, "effective_to": "2000-01-01"},
        {**good, "min_yearly_turnover": "-5"},
    ):
        response = client.post(url, bad)
        assert response.status_code == 200 and response.context["form"].errors
    assert not TaxRule.objects.filter(title="Withholding 0.5 %").exists()
    assert client.post(url, good).status_code == 302
    rule = TaxRule.objects.get(title="Withholding 0.5 %")
    assert rule.rate == Decimal("0.0050")
    edit = reverse("policy:tax_rule_edit", args=[rule.pk])
    page = client.get(edit).content.decode()
    assert 'value="0.50"' in page
    assert client.post(edit, {**good, "percent": "0.75"}).status_code == 302
    rule.refresh_from_db()
    assert rule.rate == Decimal("0.0075")
