"""Issue 14.4: a required certificate is checked against its format, after cleaning."""

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Product
from catalog.services.categories import category_ensure
from catalog.services.products import product_update
from policy.certificates import certificate_normalise
from policy.models import ListingRule
from policy.services import closure, rules
from sellers.models import Membership
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    RegulatorFactory,
    UserFactory,
    listing,
)

pytestmark = pytest.mark.django_db

JUNK = [".", "none", "-", "\u200b", "n/a", " \u200b\u2060 ", "--"]


@pytest.fixture
def halal_rule():
    food = category_ensure(slug="food-beverages", name="Food & beverages")
    rule = rules.rule_create(
        actor=RegulatorFactory(),
        categories=[food],
        kind=ListingRule.Kind.REQUIRED_CERTIFICATE,
        certificate_kind=ListingRule.Certificate.HALAL,
        title="Halal food",
        legal_reference="UU 33/2014",
    )
    cooperative = CooperativeFactory()
    manager = MembershipFactory(
        cooperative=cooperative, role=Membership.Role.MANAGER, user=UserFactory()
    ).user
    return {"rule": rule, "food": food, "cooperative": cooperative, "manager": manager}


def _listing(setup, number):
    return listing(
        setup["cooperative"],
        setup["manager"],
        setup["food"],
        title="Kopi",
        price="50000",
        certificate_number=number,
    )


@pytest.mark.parametrize("junk", JUNK)
def test_junk_certificate_numbers_do_not_satisfy_the_rule(halal_rule, junk):
    product = _listing(halal_rule, junk)
    assert product.status == Product.Status.BLOCKED
    assert "valid Halal certificate number" in product.policy_decision.reasons[0]


def test_numbers_are_cleaned_of_invisible_characters_and_odd_spacing(halal_rule):
    product = _listing(halal_rule, "  id\u200b31110000123450823\u00a0")
    assert product.certificate_number == "ID31110000123450823"
    assert product.status == Product.Status.DRAFT
    assert certificate_normalise("\uff2d\uff24\u2003224510001234") == "MD 224510001234"


def test_the_regulator_edits_the_format_and_the_catalog_follows(halal_rule):
    product = _listing(halal_rule, "ID-HALAL-0117")
    assert product.status == Product.Status.DRAFT
    regulator = RegulatorFactory()
    with pytest.raises(ValidationError):
        rules.rule_update(rule=halal_rule["rule"], actor=regulator, certificate_format="([")
    with pytest.raises(ValidationError, match="repetition"):
        rules.rule_update(rule=halal_rule["rule"], actor=regulator, certificate_format="(A+)+B")

    rules.rule_update(rule=halal_rule["rule"], actor=regulator, certificate_format="ID[0-9]{17}")
    product = product_update(product=product, actor=halal_rule["manager"], title="Kopi luwak")
    assert product.status == Product.Status.BLOCKED
    product = product_update(
        product=product, actor=halal_rule["manager"], certificate_number="ID31110000123450823"
    )
    assert product.status == Product.Status.DRAFT


def test_the_set_based_reevaluation_applies_the_same_format(halal_rule):
    """A live listing whose stored number does not match is suspended by the SQL form."""
    good = _listing(halal_rule, "ID31110000123450823")
    Product.objects.filter(pk=good.pk).update(status=Product.Status.ACTIVE)
    bad = _listing(halal_rule, "ID31110000123450824")
    Product.objects.filter(pk=bad.pk).update(
        status=Product.Status.ACTIVE, certificate_number="none"
    )

    assert closure.listings_reevaluate().suspended == 1
    assert Product.objects.get(pk=bad.pk).status == Product.Status.SUSPENDED
    assert Product.objects.get(pk=good.pk).status == Product.Status.ACTIVE


def test_the_rule_form_refuses_a_format_that_would_hang_publishing(client, halal_rule):
    from django.urls import reverse

    from tests.factories import force_login_with_mfa

    rule = halal_rule["rule"]
    force_login_with_mfa(client, RegulatorFactory())
    response = client.post(
        reverse("policy:rule_edit", args=[rule.pk]),
        {
            "title": rule.title,
            "legal_reference": rule.legal_reference,
            "categories": [halal_rule["food"].pk],
            "effective_from": rule.effective_from.isoformat(),
            "is_active": "on",
            "certificate_kind": rule.certificate_kind,
            "certificate_format": "(A+)+B",
        },
    )
    assert response.status_code == 200
    assert "repetition" in response.content.decode()
    rule.refresh_from_db()
    assert rule.certificate_format == ""
