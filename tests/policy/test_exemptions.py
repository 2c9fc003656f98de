"""Issue 14.2: an exemption covers the listing's facts at the grant, no more."""

from decimal import Decimal

import pytest

from catalog.models import Product
from catalog.services.categories import category_ensure
from catalog.services.products import product_publish, product_update
from policy.models import Appeal, Exemption, ListingDecision, ListingRule
from policy.services import appeals, rules
from sellers.services import cooperative_update
from tests.factories import (
    RegulatorFactory,
    UserFactory,
    listing,
    seller,
)

pytestmark = pytest.mark.django_db


def _granted(rule_fields, *, category, price="2000000", country="CN"):
    """A listing blocked by one rule, whose appeal was granted, published again."""
    regulator = RegulatorFactory()
    rule = rules.rule_create(actor=regulator, legal_reference="R1", **rule_fields)
    cooperative, manager = seller(country)
    product = listing(cooperative, manager, category, title="Batik", price=price, stock=4)
    assert product.status == Product.Status.BLOCKED
    decision = ListingDecision.objects.get(product=product, outcome="blocked")
    appeal = appeals.appeal_file(decision=decision, actor=manager, statement="Fair price")
    appeals.appeal_decide(appeal=appeal, actor=regulator, grant=True, response="Accepted")
    product.refresh_from_db()
    product_publish(product=product, actor=manager)
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
    return product, manager, rule


def _granted_in_textiles():
    """A foreign seller's textile listing, exempted from the textiles protection."""
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    rule = {
        "categories": [textiles],
        "kind": ListingRule.Kind.PROTECTED_CATEGORY,
        "title": "Protect textiles",
    }
    return _granted(rule, category=textiles)


def test_cutting_the_price_after_a_minimum_price_exemption_blocks_the_listing_again():
    household = category_ensure(slug="household-goods", name="Household goods")
    product, manager, _rule = _granted(
        {
            "categories": [],
            "kind": ListingRule.Kind.CROSSBORDER_MIN_PRICE,
            "title": "Minimum price",
            "min_price_usd": Decimal("10"),
            "usd_rate": Decimal("16000"),
        },
        category=household,
        price="150000",
    )

    product_update(product=product, actor=manager, price=Decimal("1"))

    product.refresh_from_db()
    assert product.status == Product.Status.BLOCKED
    exemption = Exemption.objects.get(product=product)
    assert exemption.ended_at is not None and "changed" in exemption.ended_reason
    assert Appeal.objects.get().status == Appeal.Status.GRANTED  # the record stays


def test_an_exemption_ends_when_the_seller_moves_to_another_country():
    product, _manager, _rule = _granted_in_textiles()
    admin = UserFactory(is_superuser=True, is_staff=True)
    cooperative_update(
        cooperative=product.cooperative, actor=admin, by_admin=True, country="MY", region="Johor"
    )

    product.refresh_from_db()
    assert product.status == Product.Status.SUSPENDED
    assert not Exemption.objects.in_force().exists()


def test_an_edit_that_keeps_the_facts_keeps_the_exemption():
    product, manager, rule = _granted_in_textiles()

    product_update(product=product, actor=manager, title="Batik tulis", stock=9)

    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
    assert Exemption.objects.in_force().filter(product=product, rule=rule).exists()
