"""Product services: the policy on every write path, statuses, stock that never goes negative."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from catalog.models import Product, ProductStatusChange
from catalog.services import products
from catalog.services.categories import category_ensure
from policy.models import ListingDecision, ListingRule
from policy.services.rules import rule_create
from sellers.models import Cooperative, Membership
from tests.factories import CooperativeFactory, MembershipFactory, RegulatorFactory

pytestmark = pytest.mark.django_db
Status = Product.Status


@pytest.fixture
def tree():
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    food = category_ensure(slug="food-beverages", name="Food & beverages")
    regulator = RegulatorFactory()
    rule_create(
        actor=regulator,
        categories=[textiles],
        kind=ListingRule.Kind.PROTECTED_CATEGORY,
        title="Protected clusters",
        legal_reference="Reg. 31/2023",
    )
    rule_create(
        actor=regulator,
        categories=[food],
        kind=ListingRule.Kind.REQUIRED_CERTIFICATE,
        title="Halal",
        certificate_kind="halal",
    )
    return {
        "sarongs": category_ensure(slug="woven-sarongs", name="Woven sarongs", parent=textiles),
        "coffee": category_ensure(slug="coffee-tea", name="Coffee", parent=food),
        "household": category_ensure(slug="household-goods", name="Household goods"),
    }


def _seller(country="ID", status=Cooperative.Status.VERIFIED):
    extra = {} if country == "ID" else {"province": None, "region": "Guangdong"}
    cooperative = CooperativeFactory(country=country, status=status, **extra)
    membership = MembershipFactory(cooperative=cooperative, role=Membership.Role.MANAGER)
    return cooperative, membership.user


def _create(cooperative, actor, category, **extra):
    fields = {"title": "Thing", "price": Decimal("250000"), "stock": 3} | extra
    return products.product_create(
        cooperative=cooperative, actor=actor, category=category, **fields
    )


def test_a_local_listing_is_created_as_a_draft_and_published(tree):
    cooperative, manager = _seller()
    product = _create(cooperative, manager, tree["sarongs"], title="Hinggi sarong")
    assert product.status == Status.DRAFT
    assert ListingDecision.objects.get(product=product).outcome == "allowed"
    products.product_publish(product=product, actor=manager)
    product.refresh_from_db()
    assert product.status == Status.ACTIVE and product.published_at
    assert ProductStatusChange.objects.filter(product=product, to_status="active").exists()


def test_a_foreign_textile_listing_is_blocked_at_creation_and_cannot_be_published(tree):
    cooperative, manager = _seller("CN")
    product = _create(cooperative, manager, tree["sarongs"], title="Polyester sarong")
    assert product.status == Status.BLOCKED
    decision = ListingDecision.objects.get(product=product)
    assert decision.outcome == "blocked" and decision.rule.title == "Protected clusters"
    assert "Woven sarongs" in decision.reason

    with pytest.raises(products.ListingBlocked) as raised:
        products.product_publish(product=product, actor=manager)
    assert "Protected clusters" in raised.value.reasons[0]
    product.refresh_from_db()
    assert product.status == Status.BLOCKED
    # The refused publication is on the record too.
    assert ListingDecision.objects.filter(product=product, trigger="publish").exists()


def test_re_categorising_an_active_listing_into_a_protected_category_takes_it_down(tree):
    cooperative, manager = _seller("CN")
    product = _create(cooperative, manager, tree["household"], price=Decimal("2000000"))
    products.product_publish(product=product, actor=manager)
    products.product_update(product=product, actor=manager, category=tree["sarongs"])
    product.refresh_from_db()
    assert product.status == Status.BLOCKED


def test_a_certificate_unblocks_a_listing_that_needs_one(tree):
    cooperative, manager = _seller()
    product = _create(cooperative, manager, tree["coffee"], title="Gayo arabica")
    assert product.status == Status.BLOCKED
    products.product_update(product=product, actor=manager, certificate_number="ID-HALAL-1")
    product.refresh_from_db()
    assert product.status == Status.DRAFT
    products.product_publish(product=product, actor=manager)


@pytest.mark.parametrize("status", [Cooperative.Status.PENDING, Cooperative.Status.SUSPENDED])
def test_only_a_verified_cooperative_publishes(tree, status):
    cooperative, manager = _seller(status=status)
    product = _create(cooperative, manager, tree["household"])
    with pytest.raises(products.NotAllowed):
        products.product_publish(product=product, actor=manager)
    product.refresh_from_db()
    assert product.status == Status.DRAFT


def test_a_non_member_cannot_create_or_change_products(tree):
    cooperative, manager = _seller()
    _other, outsider = _seller()
    with pytest.raises(products.NotAllowed):
        _create(cooperative, outsider, tree["household"])
    product = _create(cooperative, manager, tree["household"])
    with pytest.raises(products.NotAllowed):
        products.product_update(product=product, actor=outsider, price=Decimal("1"))
    product.refresh_from_db()
    assert product.price == Decimal("250000")


@pytest.mark.parametrize("price", ["0", "-5", "1e9999", "NaN", "12.345", "1000000000000000", "abc"])
def test_bad_prices_are_refused_and_nothing_is_created(tree, price):
    cooperative, manager = _seller()
    with pytest.raises(products.ProductError) as raised:
        _create(cooperative, manager, tree["household"], price=price)
    assert raised.value.field == "price"
    assert not Product.objects.exists()


@pytest.mark.parametrize("stock", [-1, 2.5, 10**9, "7", True])
def test_bad_stock_is_refused(tree, stock):
    cooperative, manager = _seller()
    with pytest.raises(products.ProductError):
        _create(cooperative, manager, tree["household"], stock=stock)
    assert not Product.objects.exists()


def test_illegal_status_moves_are_refused(tree):
    cooperative, manager = _seller()
    product = _create(cooperative, manager, tree["household"])
    with pytest.raises(products.InvalidTransition):
        products.product_unpublish(product=product, actor=manager)  # a draft is not live
    products.product_archive(product=product, actor=manager)
    with pytest.raises(products.InvalidTransition):
        products.product_publish(product=product, actor=manager)
    with pytest.raises(products.NotAllowed):
        products.product_update(product=product, actor=manager, title="Revived")


def test_the_database_refuses_negative_stock_whatever_the_code_does(tree):
    cooperative, manager = _seller()
    product = _create(cooperative, manager, tree["household"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=-1)


def test_stock_adjustments_never_go_below_zero(tree):
    cooperative, manager = _seller()
    product = _create(cooperative, manager, tree["household"], stock=3)
    with pytest.raises(products.InsufficientStock):
        products.product_adjust_stock(product=product, actor=manager, delta=-4)
    assert products.product_adjust_stock(product=product, actor=manager, delta=-3).stock == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_stock_withdrawals_never_oversell(tree):
    cooperative, manager = _seller()
    product = _create(cooperative, manager, tree["household"], stock=10)
    barrier = threading.Barrier(8)
    outcomes = []

    def withdraw():
        try:
            barrier.wait()
            for _ in range(3):
                try:
                    products.product_adjust_stock(product=product, actor=manager, delta=-1)
                    outcomes.append("ok")
                except products.InsufficientStock:
                    outcomes.append("short")
        finally:
            connection.close()

    threads = [threading.Thread(target=withdraw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    product.refresh_from_db()
    assert outcomes.count("ok") == 10
    assert outcomes.count("short") == 14
    assert product.stock == 0
