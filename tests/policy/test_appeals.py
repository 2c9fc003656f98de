"""Issue 14.5: appeals cannot pile up or contradict each other."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from catalog.models import Product
from catalog.services.categories import category_ensure
from policy import errors
from policy.models import Appeal, ListingDecision
from policy.services import appeals, rules
from tests.factories import (
    RegulatorFactory,
    foreign_cooperative,
    listing,
    protect,
    textiles_and_sarongs,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def blocked():
    textiles, sarongs = textiles_and_sarongs()
    regulator = RegulatorFactory()
    rule = protect(textiles, regulator=regulator, title="Protect textiles")
    cooperative, manager = foreign_cooperative()
    sarong = listing(cooperative, manager, sarongs, title="Sarong")
    assert sarong.status == Product.Status.BLOCKED
    return {"rule": rule, "sarong": sarong, "manager": manager, "regulator": regulator}


def _block(product, rule):
    return ListingDecision.objects.filter(product=product, rule=rule, outcome="blocked").latest(
        "created_at", "id"
    )


def _lift_and_set_again(rule, regulator):
    rules.rule_update(rule=rule, actor=regulator, is_active=False)
    rules.rule_update(rule=rule, actor=regulator, is_active=True)


def test_lifting_the_rule_closes_its_pending_appeals(blocked):
    rule, sarong, manager = blocked["rule"], blocked["sarong"], blocked["manager"]
    first = appeals.appeal_file(decision=_block(sarong, rule), actor=manager, statement="Local")

    rules.rule_update(rule=rule, actor=blocked["regulator"], is_active=False)

    first.refresh_from_db()
    assert first.status == Appeal.Status.CLOSED
    assert "lifted" in first.response
    with pytest.raises(errors.AppealRefused):
        appeals.appeal_decide(appeal=first, actor=blocked["regulator"], grant=True, response="")


def test_one_open_appeal_per_listing_and_rule_and_the_database_holds_it(blocked):
    rule, sarong, manager = blocked["rule"], blocked["sarong"], blocked["manager"]
    first = appeals.appeal_file(decision=_block(sarong, rule), actor=manager, statement="Local")
    # A second block of the same listing by the same rule (judged again).
    from catalog.services.products import product_policy_refresh

    product_policy_refresh(product=sarong, actor=manager, trigger=ListingDecision.Trigger.EDIT)
    second_block = _block(sarong, rule)
    assert second_block.pk != first.decision_id

    with pytest.raises(errors.AppealRefused, match="already pending"):
        appeals.appeal_file(decision=second_block, actor=manager, statement="Again")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            decision=second_block, product=sarong, rule=rule, statement="x", filed_by=manager
        )
    assert Appeal.objects.filter(product=sarong, rule=rule, status="pending").count() == 1


def test_after_lift_and_reset_a_new_appeal_is_taken_and_the_old_cannot_contradict_it(blocked):
    rule, sarong, manager = blocked["rule"], blocked["sarong"], blocked["manager"]
    regulator = blocked["regulator"]
    first = appeals.appeal_file(decision=_block(sarong, rule), actor=manager, statement="Local")
    _lift_and_set_again(rule, regulator)
    from catalog.services.products import product_policy_refresh

    product_policy_refresh(product=sarong, actor=manager, trigger=ListingDecision.Trigger.EDIT)
    second = appeals.appeal_file(decision=_block(sarong, rule), actor=manager, statement="Still")

    appeals.appeal_decide(appeal=second, actor=regulator, grant=False, response="No proof")
    with pytest.raises(errors.AppealRefused):
        appeals.appeal_decide(appeal=first, actor=regulator, grant=True, response="")
    assert set(Appeal.objects.values_list("status", flat=True)) == {"closed", "upheld"}
    sarong.refresh_from_db()
    assert sarong.status == Product.Status.BLOCKED


def test_deciding_an_appeal_whose_block_is_gone_is_refused_with_a_reason(blocked):
    rule, sarong, manager = blocked["rule"], blocked["sarong"], blocked["manager"]
    appeal = appeals.appeal_file(decision=_block(sarong, rule), actor=manager, statement="Local")
    # The rule stops covering the listing without being lifted: its category leaves it.
    beauty = category_ensure(slug="beauty", name="Beauty")
    rules.rule_update(rule=rule, actor=blocked["regulator"], categories=[beauty])

    with pytest.raises(errors.AppealRefused, match="no longer blocks"):
        appeals.appeal_decide(appeal=appeal, actor=blocked["regulator"], grant=True, response="")
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.PENDING


def test_the_granted_email_says_the_listing_is_still_blocked_by_another_rule(
    blocked, django_capture_on_commit_callbacks
):
    rule, sarong, manager = blocked["rule"], blocked["sarong"], blocked["manager"]
    regulator = blocked["regulator"]
    protect(sarong.category, regulator=regulator, title="Protect sarongs", legal_reference="R2")
    from catalog.services.products import product_policy_refresh

    product_policy_refresh(product=sarong, actor=manager, trigger=ListingDecision.Trigger.EDIT)
    appeal = appeals.appeal_file(decision=_block(sarong, rule), actor=manager, statement="Local")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_decide(appeal=appeal, actor=regulator, grant=True, response="")

    sarong.refresh_from_db()
    assert sarong.status == Product.Status.BLOCKED
    (email,) = mail.outbox
    assert "still blocked by another rule" in email.body
    assert "live again" not in email.body
