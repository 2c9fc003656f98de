"""The rule form asks for one kind's fields: the kind is chosen first, and what is posted
for another kind's fields is ignored (and cleared from the rule)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.services.categories import category_ensure
from policy import kinds
from policy.models import ListingRule
from policy.services import rules
from tests.factories import RegulatorFactory, force_login_with_mfa

pytestmark = pytest.mark.django_db

COMMON = {"title", "legal_reference", "effective_from", "is_active"}
KIND_FIELDS = {
    "categories",
    "min_price_usd",
    "usd_rate",
    "certificate_kind",
    "certificate_format",
}
# What each kind's form asks for: written out, so that a kind's fields are checked
# against the page and not against the registry that produced it.
EXPECTED = {
    "protected_category": {"categories"},
    "crossborder_min_price": {"categories", "min_price_usd", "usd_rate"},
    "required_certificate": {"categories", "certificate_kind", "certificate_format"},
}


@pytest.fixture
def regulator(client):
    user = RegulatorFactory()
    force_login_with_mfa(client, user)
    return user


@pytest.fixture
def textiles():
    return category_ensure(slug="textiles-fashion", name="Textiles & fashion")


def _rule_form_fields(response) -> set[str]:
    """The names of the inputs of the page's rule form (less the token and the hidden
    initial value Django adds for a default computed on the day)."""
    html = response.content.decode()
    [form] = re.findall(
        r'<form method="post" class="form form--wide rule-form">.*?</form>', html, re.S
    )
    names = set(re.findall(r'name="([^"]+)"', form))
    return {name for name in names if not name.startswith("initial-")} - {"csrfmiddlewaretoken"}


def test_every_registered_kind_is_expected_here():
    assert {kind.code for kind in kinds.KINDS} == set(EXPECTED)
    assert set().union(*EXPECTED.values()) == KIND_FIELDS


def test_a_new_rule_starts_with_the_choice_of_its_kind(client, regulator):
    response = client.get(reverse("policy:rule_create"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in kinds.KINDS:
        assert f"{reverse('policy:rule_create')}?kind={kind.code}" in html
    assert 'name="title"' not in html


def test_an_unknown_kind_is_asked_again_and_nothing_is_created(client, regulator):
    response = client.post(
        reverse("policy:rule_create") + "?kind=lottery", {"title": "Lottery", "is_active": "on"}
    )
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()
    assert not ListingRule.objects.exists()


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_the_new_rule_form_shows_only_its_kinds_fields(client, regulator, textiles, code):
    response = client.get(reverse("policy:rule_create"), {"kind": code})
    assert response.status_code == 200
    assert _rule_form_fields(response) == COMMON | EXPECTED[code]


def _rule_of(code, textiles):
    terms = {
        "protected_category": {},
        "crossborder_min_price": {"min_price_usd": Decimal("100"), "usd_rate": Decimal("16000")},
        "required_certificate": {"certificate_kind": "halal"},
    }[code]
    return rules.rule_create(
        actor=RegulatorFactory(), categories=[textiles], kind=code, title=code, **terms
    )


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_a_rules_edit_form_shows_only_its_kinds_fields(client, regulator, textiles, code):
    rule = _rule_of(code, textiles)
    response = client.get(reverse("policy:rule_edit", args=[rule.pk]))
    assert response.status_code == 200
    assert _rule_form_fields(response) == COMMON | EXPECTED[code]


def test_fields_of_another_kind_posted_with_a_new_rule_are_ignored(client, regulator, textiles):
    response = client.post(
        reverse("policy:rule_create") + "?kind=protected_category",
        {
            "kind": "crossborder_min_price",
            "title": "Protect textiles",
            "categories": [textiles.pk],
            "effective_from": "2026-01-01",
            "is_active": "on",
            "min_price_usd": "100",
            "usd_rate": "16000",
            "certificate_kind": "halal",
            "certificate_format": "X[0-9]+",
        },
    )
    rule = ListingRule.objects.get()
    assert response.status_code == 302
    assert rule.kind == "protected_category"
    assert list(rule.categories.all()) == [textiles]
    assert (rule.min_price_usd, rule.usd_rate) == (None, None)
    assert (rule.certificate_kind, rule.certificate_format) == ("", "")
    assert rule.changes.get().snapshot["min_price_usd"] is None


def test_saving_a_rule_clears_what_it_held_in_another_kinds_fields(client, regulator, textiles):
    rule = rules.rule_create(
        actor=regulator,
        categories=[textiles],
        kind="protected_category",
        title="Protect textiles",
        min_price_usd=Decimal("5"),
        certificate_kind="halal",
    )
    response = client.post(
        reverse("policy:rule_edit", args=[rule.pk]),
        {
            "kind": "required_certificate",
            "title": "Protect textiles",
            "categories": [textiles.pk],
            "effective_from": rule.effective_from.isoformat(),
            "is_active": "on",
            "min_price_usd": "7",
            "certificate_kind": "food_safety",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.kind == "protected_category"
    assert (rule.min_price_usd, rule.certificate_kind) == (None, "")


def test_a_kinds_own_checks_still_reach_the_form(client, regulator, textiles):
    response = client.post(
        reverse("policy:rule_create") + "?kind=crossborder_min_price",
        {"title": "Minimum", "effective_from": "2026-01-01", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Give the minimum price in US dollars." in response.content.decode()
    assert not ListingRule.objects.exists()
