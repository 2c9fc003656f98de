"""Rules change the catalog: progressive closure, release, appeals, the beat job."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import visible_products
from catalog.services.categories import category_ensure
from catalog.services.products import ListingBlocked, product_publish
from policy import errors
from policy.models import Appeal, Exemption, ListingDecision, ListingRule, RuleChange
from policy.services import appeals, closure, rules
from tests.factories import (
    RegulatorFactory,
    UserFactory,
    listing,
    seller,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories():
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    beauty = category_ensure(slug="beauty", name="Beauty")
    return {
        "textiles": textiles,
        "sarongs": category_ensure(slug="woven-sarongs", name="Woven sarongs", parent=textiles),
        "beauty": beauty,
        "soaps": category_ensure(slug="soaps-oils", name="Soaps & oils", parent=beauty),
        "household": category_ensure(slug="household-goods", name="Household goods"),
    }


_seller = seller


def _live(cooperative, manager, category, title="Thing", price="2000000"):
    product = listing(cooperative, manager, category, title=title, price=price, stock=5)
    return product_publish(product=product, actor=manager)


def _protect(category, *, regulator=None, **extra):
    return rules.rule_create(
        actor=regulator or RegulatorFactory(),
        categories=[category],
        kind=ListingRule.Kind.PROTECTED_CATEGORY,
        title=f"Protect {category.name}",
        legal_reference="Reg. 1/2026",
        **extra,
    )


def test_adding_beauty_suspends_foreign_beauty_listings_and_emails_each_seller_once(
    categories, django_capture_on_commit_callbacks
):
    foreign, foreign_manager = _seller("CN")
    local, local_manager = _seller("ID")
    soaps = [_live(foreign, foreign_manager, categories["soaps"], f"Soap {i}") for i in range(3)]
    pan = _live(foreign, foreign_manager, categories["household"], "Pan")
    local_soap = _live(local, local_manager, categories["soaps"], "Local soap")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rule = _protect(categories["beauty"])

    statuses = dict(Product.objects.values_list("title", "status"))
    assert {statuses[s.title] for s in soaps} == {Product.Status.SUSPENDED}
    assert statuses[pan.title] == statuses[local_soap.title] == Product.Status.ACTIVE
    assert not visible_products().filter(pk__in=[s.pk for s in soaps]).exists()
    decisions = ListingDecision.objects.filter(rule=rule, outcome="blocked")
    assert decisions.count() == 3
    assert all(d.to_status == "suspended" and "Beauty" in d.reason for d in decisions)
    assert [m.to for m in mail.outbox] == [[foreign_manager.email]]
    assert all(s.title in mail.outbox[0].body for s in soaps)
    assert RuleChange.objects.filter(rule=rule, action="created").exists()


def test_reevaluation_is_idempotent(categories):
    foreign, manager = _seller("CN")
    _live(foreign, manager, categories["soaps"])
    _protect(categories["beauty"])
    first = closure.listings_reevaluate()
    decisions = ListingDecision.objects.count()
    second = closure.listings_reevaluate()
    assert (first.suspended, second.suspended, second.released) == (1, 0, 0)
    assert ListingDecision.objects.count() == decisions


def test_lifting_a_rule_brings_suspended_listings_back(categories):
    foreign, manager = _seller("CN")
    soap = _live(foreign, manager, categories["soaps"])
    rule = _protect(categories["beauty"])
    closure.listings_reevaluate()
    regulator = RegulatorFactory()
    rules.rule_update(rule=rule, actor=regulator, is_active=False)
    result = closure.listings_reevaluate()
    assert result.released == 1
    soap.refresh_from_db()
    assert soap.status == Product.Status.ACTIVE
    assert RuleChange.objects.filter(rule=rule, action="updated", actor=regulator).exists()


def test_reevaluation_runs_a_constant_number_of_queries_whatever_the_catalog_size(categories):
    foreign, manager = _seller("CN")
    for i in range(3):
        _live(foreign, manager, categories["soaps"], f"Soap {i}")
    _protect(categories["beauty"])
    with CaptureQueriesContext(connection) as small:
        assert closure.listings_reevaluate().suspended == 3
    for i in range(30):
        _live(foreign, manager, categories["household"], f"Pan {i}")
    rule2 = _protect(categories["household"])
    assert rule2.pk
    with CaptureQueriesContext(connection) as large:
        assert closure.listings_reevaluate().suspended == 30
    # One more rule in force adds its own statements; the products do not.
    per_rule = 1
    assert len(large.captured_queries) <= len(small.captured_queries) + per_rule + 2


def test_a_rule_with_a_future_date_waits_for_the_beat_job(categories):
    foreign, manager = _seller("CN")
    soap = _live(foreign, manager, categories["soaps"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    rule = _protect(categories["beauty"], effective_from=tomorrow)
    assert closure.listings_reevaluate().suspended == 0
    assert closure.rules_enforce_due() is None

    result = closure.rules_enforce_due(today=tomorrow)
    # rules_in_force reads today's date: the rule is in force from tomorrow.
    assert result is not None
    rule.refresh_from_db()
    assert rule.enforced_on == tomorrow
    assert closure.rules_enforce_due(today=tomorrow) is None  # once only
    soap.refresh_from_db()


def test_rule_kinds_need_their_parameters():
    regulator = RegulatorFactory()
    with pytest.raises(ValidationError):
        rules.rule_create(actor=regulator, categories=[], kind="protected_category", title="x")
    with pytest.raises(ValidationError):
        rules.rule_create(actor=regulator, categories=[], kind="crossborder_min_price", title="x")
    assert not ListingRule.objects.exists()


def test_only_regulators_change_rules(categories):
    with pytest.raises(errors.NotAllowed):
        _protect(categories["beauty"], regulator=UserFactory())
    assert not ListingRule.objects.exists()


def test_appeal_granted_becomes_an_exemption_that_evaluation_respects(categories):
    foreign, manager = _seller("CN")
    _protect(categories["textiles"])
    sarong = listing(foreign, manager, categories["sarongs"], title="Sarong")
    assert sarong.status == Product.Status.BLOCKED
    decision = ListingDecision.objects.get(product=sarong, outcome="blocked")
    with pytest.raises(ListingBlocked):
        product_publish(product=sarong, actor=manager)

    with pytest.raises(errors.NotAllowed):
        appeals.appeal_file(decision=decision, actor=UserFactory(), statement="Mine")
    appeal = appeals.appeal_file(decision=decision, actor=manager, statement="Made locally")
    with pytest.raises(errors.AppealRefused):
        appeals.appeal_file(decision=decision, actor=manager, statement="Again")

    regulator = RegulatorFactory()
    with pytest.raises(errors.AppealRefused):
        appeals.appeal_decide(appeal=appeal, actor=regulator, grant=False, response="")
    appeals.appeal_decide(appeal=appeal, actor=regulator, grant=True, response="Verified")
    assert Exemption.objects.filter(product=sarong, rule=decision.rule).exists()
    sarong.refresh_from_db()
    assert sarong.status == Product.Status.DRAFT
    product_publish(product=sarong, actor=manager)
    assert closure.listings_reevaluate().suspended == 0
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.GRANTED


def test_an_appeal_moves_once_through_its_transition_and_keeps_the_trail(categories):
    foreign, manager = _seller("CN")
    _protect(categories["textiles"])
    sarong = listing(foreign, manager, categories["sarongs"], title="Sarong")
    decision = ListingDecision.objects.get(product=sarong, outcome="blocked")
    appeal = appeals.appeal_file(decision=decision, actor=manager, statement="Made locally")
    regulator = RegulatorFactory()
    appeals.appeal_decide(appeal=appeal, actor=regulator, grant=False, response="Imported")
    with pytest.raises(errors.AppealRefused):
        appeals.appeal_decide(appeal=appeal, actor=regulator, grant=True, response="")

    assert list(appeal.status_changes.values_list("from_status", "to_status", "actor", "note")) == [
        ("", Appeal.Status.PENDING, manager.pk, "Made locally"),
        (Appeal.Status.PENDING, Appeal.Status.UPHELD, regulator.pk, "Imported"),
    ]
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.UPHELD
    assert not Exemption.objects.filter(product=sarong).exists()


def test_a_cooperative_moving_abroad_has_its_protected_listings_suspended(categories):
    local, manager = _seller("ID")
    sarong = _live(local, manager, categories["sarongs"], "Sarong")
    _protect(categories["textiles"])
    from sellers.services import cooperative_update

    admin = UserFactory(is_superuser=True, is_staff=True)
    cooperative_update(cooperative=local, actor=admin, by_admin=True, country="MY", region="Johor")
    sarong.refresh_from_db()
    assert sarong.status == Product.Status.SUSPENDED


def test_reevaluate_listings_command(categories, capsys):
    foreign, manager = _seller("CN")
    _live(foreign, manager, categories["soaps"])
    ListingRule.objects.create(kind="protected_category", title="Silent")
    ListingRule.objects.get(title="Silent").categories.set([categories["beauty"]])
    call_command("reevaluate_listings")
    assert "suspended: 1" in capsys.readouterr().out


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_rule_change_is_enforced_by_a_real_worker(categories, celery_worker):
    foreign, manager = _seller("CN")
    soap = _live(foreign, manager, categories["soaps"])
    _protect(categories["beauty"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        soap.refresh_from_db()
        if soap.status == Product.Status.SUSPENDED:
            break
        time.sleep(0.1)
    assert soap.status == Product.Status.SUSPENDED


def test_a_closure_decision_points_at_the_one_move_in_the_status_history(
    categories, django_capture_on_commit_callbacks
):
    """Two rules forbid the same listing: two decisions, one move, both pointing at it;
    the release writes its own move, and the decisions keep no copy of the statuses."""
    foreign, manager = _seller("CN")
    soap = _live(foreign, manager, categories["soaps"], "Soap")
    regulator = RegulatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _protect(categories["beauty"], regulator=regulator)
        _protect(categories["soaps"], regulator=regulator)

    moves = list(soap.status_changes.order_by("id"))
    assert [(m.from_status, m.to_status, m.trigger) for m in moves] == [
        ("draft", "active", "seller"),
        ("active", "suspended", "policy"),
    ]
    blocks = ListingDecision.objects.filter(product=soap, outcome="blocked")
    assert blocks.count() == 2
    assert {d.status_change_id for d in blocks} == {moves[1].pk}
    assert not {f.name for f in ListingDecision._meta.get_fields()} & {"from_status", "to_status"}

    for title in ("Protect Beauty", "Protect Soaps & oils"):
        with django_capture_on_commit_callbacks(execute=True):
            rules.rule_update(
                rule=ListingRule.objects.get(title=title), actor=regulator, is_active=False
            )
    release = soap.status_changes.order_by("-id").first()
    assert (release.from_status, release.to_status, release.trigger) == (
        "suspended",
        "active",
        "policy",
    )
    assert ListingDecision.objects.get(status_change=release).outcome == "allowed"
    assert Product.objects.get(pk=soap.pk).status == Product.Status.ACTIVE
