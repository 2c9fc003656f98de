"""The listing policy as a pure function, and its SQL form, which must agree with it."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.models import Product
from catalog.services.categories import category_ensure
from policy import evaluation, kinds
from policy.evaluation import ListingFacts, RuleFacts, evaluate
from policy.services.closure import violation_condition
from policy.services.decisions import rules_in_force
from policy.services.rules import rule_create
from tests.factories import CooperativeFactory, RegulatorFactory

HOME = "ID"
PROTECTED = RuleFacts(
    id=1,
    kind=evaluation.PROTECTED_CATEGORY,
    title="Protected clusters",
    legal_reference="Reg. 31/2023",
    category_paths=("0001", "0003"),
    category_names=("Textiles", "Crafts"),
)
MIN_PRICE = RuleFacts(
    id=2,
    kind=evaluation.CROSSBORDER_MIN_PRICE,
    title="Minimum price",
    category_paths=("0009",),  # books: the positive list
    min_price_usd=Decimal("100"),
    usd_rate=Decimal("16000"),
)
CERTIFICATE = RuleFacts(
    id=3,
    kind=evaluation.REQUIRED_CERTIFICATE,
    title="Halal",
    category_paths=("0002",),
    certificate_label="Halal certificate",
)
RULES = [PROTECTED, MIN_PRICE, CERTIFICATE]


def facts(country="CN", path="00010001", price="2000000", certificate="", name="Sarongs"):
    return ListingFacts(
        seller_country=country,
        category_path=path,
        category_name=name,
        price=Decimal(price),
        certificate_number=certificate,
    )


def decide(listing, rules=RULES, exempt=frozenset()):
    return evaluate(listing, rules, home_country=HOME, currency="IDR", exempt_rule_ids=exempt)


def test_a_foreign_seller_is_blocked_in_a_protected_category_and_its_descendants():
    for path in ("0001", "00010001", "000100010004", "0003"):
        decision = decide(facts(path=path))
        assert [b.rule_id for b in decision.blocks] == [PROTECTED.id], path


def test_a_local_seller_is_never_blocked_by_protection_or_minimum_price():
    decision = decide(facts(country=HOME, path="00010001", price="1"))
    assert decision.allowed


def test_the_reason_names_the_category_rule_and_legal_reference_in_plain_words():
    [block] = decide(facts(name="Woven sarongs")).blocks
    assert "Woven sarongs" in block.reason
    assert "Protected clusters" in block.reason and "Reg. 31/2023" in block.reason
    assert "outside the marketplace's country" in block.reason


def test_cross_border_minimum_price_applies_below_the_converted_threshold_only():
    threshold = Decimal("1600000.00")
    assert MIN_PRICE.min_price_local == threshold
    below = decide(facts(path="0005", price="1599999.99"), rules=[MIN_PRICE])
    at = decide(facts(path="0005", price="1600000.00"), rules=[MIN_PRICE])
    assert not below.allowed and at.allowed
    assert "100" in below.reasons[0] and "1,600,000" in below.reasons[0]


def test_the_positive_list_is_exempt_from_the_minimum_price():
    assert decide(facts(path="00090002", price="50000"), rules=[MIN_PRICE]).allowed


def test_a_required_certificate_applies_to_every_seller_until_a_number_is_given():
    local = facts(country=HOME, path="00020001")
    assert [b.rule_id for b in decide(local).blocks] == [CERTIFICATE.id]
    assert decide(facts(country=HOME, path="00020001", certificate="ID-HALAL-1")).allowed
    assert not decide(facts(country=HOME, path="00020001", certificate="   ")).allowed


def test_every_blocking_rule_is_reported_and_an_exemption_lifts_only_its_rule():
    listing = facts(path="00020001", price="1000")  # protected? no: food is 0002
    blocks = {b.rule_id for b in decide(listing).blocks}
    assert blocks == {MIN_PRICE.id, CERTIFICATE.id}
    exempted = decide(listing, exempt=frozenset({MIN_PRICE.id}))
    assert {b.rule_id for b in exempted.blocks} == {CERTIFICATE.id}


@given(
    country=st.sampled_from(["ID", "CN", "MY"]),
    path=st.sampled_from(["0001", "00010002", "0002", "00020001", "0005", "0009", "00090001"]),
    price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999"), places=2),
    certificate=st.sampled_from(["", "X-1"]),
)
def test_evaluation_is_total_and_consistent(country, path, price, certificate):
    listing = facts(country=country, path=path, price=str(price), certificate=certificate)
    decision = decide(listing)
    assert decision.allowed == (not decision.blocks)
    assert len({b.rule_id for b in decision.blocks}) == len(decision.blocks)
    for block in decision.blocks:
        assert block.reason
    if country == HOME:
        assert {b.kind for b in decision.blocks} <= {evaluation.REQUIRED_CERTIFICATE}


# --- The SQL form agrees with the pure function ------------------------------------


# One or more rules of each registered kind, whose SQL form is checked against the pure
# function on the grid below. A kind added to the registry without one here fails.
AGREEMENT_EXAMPLES = {
    evaluation.PROTECTED_CATEGORY: [
        {"categories": ["textiles"]},
        {"categories": ["coffee", "books"]},
    ],
    evaluation.CROSSBORDER_MIN_PRICE: [
        {"categories": ["books"], "min_price_usd": Decimal("100"), "usd_rate": Decimal("16000")},
        {"categories": [], "min_price_usd": Decimal("5"), "usd_rate": Decimal("16000")},
    ],
    evaluation.REQUIRED_CERTIFICATE: [
        {"categories": ["food"], "certificate_kind": "halal"},
        # A format the empty number matches: no number still is no certificate.
        {"categories": ["textiles"], "certificate_kind": "halal", "certificate_format": "[0-9]*"},
    ],
}


@pytest.fixture
def grid():
    """Listings on every combination of the facts the kinds look at."""
    textiles = category_ensure(slug="textiles-fashion", name="Textiles")
    food = category_ensure(slug="food-beverages", name="Food")
    categories = {
        "textiles": textiles,
        "sarongs": category_ensure(slug="woven-sarongs", name="Sarongs", parent=textiles),
        "food": food,
        "coffee": category_ensure(slug="coffee-tea", name="Coffee", parent=food),
        "household": category_ensure(slug="household-goods", name="Household"),
        "books": category_ensure(slug="books", name="Books"),
    }
    sellers = {
        "ID": CooperativeFactory(country="ID"),
        "CN": CooperativeFactory(country="CN", province=None, region="Guangdong"),
    }
    combos = itertools.product(
        sellers,
        [c for name, c in categories.items() if name != "food"],
        ["50000", "1600000", "2000000"],
        ["", "H", "1234", "ID31110000123450823"],
    )
    products = Product.objects.bulk_create(
        Product(
            cooperative=sellers[country],
            category=category,
            sku=f"S{i}",
            title=f"P{i}",
            slug=f"p{i}",
            price=Decimal(price),
            certificate_number=certificate,
            status=Product.Status.ACTIVE,
        )
        for i, (country, category, price, certificate) in enumerate(combos)
    )
    return categories, Product.objects.filter(pk__in=[p.pk for p in products]).select_related(
        "cooperative", "category"
    )


def test_every_registered_kind_has_examples_for_the_agreement_test():
    assert {kind.code for kind in kinds.KINDS} == set(AGREEMENT_EXAMPLES)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda kind: kind.code)
def test_sql_conditions_agree_with_the_pure_function_on_every_combination(kind, grid):
    categories, products = grid
    regulator = RegulatorFactory()
    for i, example in enumerate(AGREEMENT_EXAMPLES.get(kind.code, [])):
        example = dict(example)
        names = example.pop("categories")
        rule_create(
            actor=regulator,
            categories=[categories[name] for name in names],
            kind=kind.code,
            title=f"{kind.code} {i}",
            **example,
        )
    rules = rules_in_force()
    assert rules, f"add examples of {kind.code} to AGREEMENT_EXAMPLES"
    for rule in rules:
        sql = set(
            products.filter(violation_condition(rule, home_country=HOME)).values_list(
                "pk", flat=True
            )
        )
        pure = {
            p.pk
            for p in products
            if rule.id
            in {
                b.rule_id
                for b in evaluate(
                    ListingFacts(
                        seller_country=p.cooperative.country.code,
                        category_path=p.category.path,
                        category_name=p.category.name,
                        price=p.price,
                        certificate_number=p.certificate_number,
                    ),
                    [rule],
                    home_country=HOME,
                    currency="IDR",
                ).blocks
            }
        }
        assert sql == pure, rule.title
        assert pure, f"the grid should exercise rule {rule.title}"
        assert len(pure) < len(products), f"some listings of the grid should pass {rule.title}"
