"""The policy's emails go through the outbox: a rule change that suspends listings and an
appeal decision commit with the broker down, and their emails go out once it is back,
each exactly once, in the reader's language, through a real worker."""

import logging

import pytest
from django.core import mail

from catalog.models import Product
from catalog.services.categories import category_ensure
from marketplace.models import OutgoingEmail
from marketplace.notifications import outbox_relay
from marketplace.tasks import relay_outbox
from policy.models import Appeal, ListingDecision, ListingRule
from policy.services.appeals import appeal_decide, appeal_file
from policy.services.rules import rule_create
from policy.tasks.closure import enforce_due_rules
from tests.conftest import broker_queue_empty, running_worker, wait_until
from tests.factories import (
    CooperativeFactory,
    RegulatorFactory,
    UserFactory,
    listing,
    manager_of,
)

pytestmark = pytest.mark.django_db


def _foreign_seller(manager):
    cooperative = CooperativeFactory(
        country="CN", province=None, region="Guangdong", legal_name="Guangzhou Crafts"
    )
    manager_of(cooperative, manager)
    return cooperative


def _listing(cooperative, manager, category, title):
    return listing(cooperative, manager, category, title=title, stock=5, publish=True)


def _protect(category, regulator):
    return rule_create(
        actor=regulator,
        categories=[category],
        kind=ListingRule.Kind.PROTECTED_CATEGORY,
        title=f"Protect {category.name}",
        legal_reference="Reg. 1/2026",
    )


def test_a_suspension_and_an_appeal_decision_are_written_in_the_readers_language(
    django_capture_on_commit_callbacks,
):
    manager = UserFactory(email="li@example.test", preferred_language="fr")
    cooperative = _foreign_seller(manager)
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    sarong = _listing(cooperative, manager, textiles, "Silk sarong")
    regulator = RegulatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _protect(textiles, regulator)
    assert Product.objects.get(pk=sarong.pk).status == Product.Status.SUSPENDED
    decision = ListingDecision.objects.get(product=sarong, outcome="blocked")
    appeal = appeal_file(decision=decision, actor=manager, statement="Woven here")
    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(appeal=appeal, actor=regulator, grant=False, response="Not so")

    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Règles de mise en vente modifiées : certaines annonces de Guangzhou Crafts sont "
        "concernées",
        "Décision sur votre recours concernant « Silk sarong »",
    ]
    assert "Suspendues (n'apparaissent plus dans le catalogue)" in mail.outbox[0].body
    assert "Silk sarong" in mail.outbox[0].body
    assert "Le blocage est maintenu." in mail.outbox[1].body and "Not so" in mail.outbox[1].body
    assert set(OutgoingEmail.objects.values_list("language", flat=True)) == {"fr"}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_rule_change_and_an_appeal_decision_commit_with_the_broker_down_and_email_once_back(
    throwaway_broker, caplog
):
    from marketplace.celery import app

    manager = UserFactory(email="li@example.test", preferred_language="fr")
    cooperative = _foreign_seller(manager)
    textiles = category_ensure(slug="textiles-fashion", name="Textiles & fashion")
    beauty = category_ensure(slug="beauty", name="Beauty")
    regulator = RegulatorFactory()
    _protect(textiles, regulator)
    soap = _listing(cooperative, manager, beauty, "Jasmine soap")
    sarong = _listing(cooperative, manager, textiles, "Silk sarong")
    assert sarong.status == Product.Status.BLOCKED
    appeal = appeal_file(
        decision=ListingDecision.objects.get(product=sarong, outcome="blocked"),
        actor=manager,
        statement="Woven here",
    )
    OutgoingEmail.objects.all().delete()  # nothing so far concerns this test

    throwaway_broker.stop()  # and the messages it held are gone with it
    with caplog.at_level(logging.WARNING, logger="marketplace.notifications"):
        rule = _protect(beauty, regulator)
        appeal_decide(appeal=appeal, actor=regulator, grant=False, response="Not so")

    # Both changes committed; the catalog's re-evaluation and the emails wait.
    assert ListingRule.objects.filter(pk=rule.pk).exists()
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.UPHELD
    assert Product.objects.get(pk=soap.pk).status == Product.Status.ACTIVE
    assert "broker unavailable" in caplog.text
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 1  # the decision
    assert mail.outbox == []

    # The broker is back: beat publishes its hourly enforcement and its relay.
    throwaway_broker.start()
    with running_worker(app):
        enforce_due_rules.delay()
        relay_outbox.delay()
        assert wait_until(lambda: len(mail.outbox) >= 2)
        enforce_due_rules.delay()  # later ticks change and send nothing more
        relay_outbox.delay()
        assert wait_until(broker_queue_empty)
    assert outbox_relay() == 0
    assert Product.objects.get(pk=soap.pk).status == Product.Status.SUSPENDED
    assert sorted(m.subject for m in mail.outbox) == [
        "Décision sur votre recours concernant « Silk sarong »",
        "Règles de mise en vente modifiées : certaines annonces de Guangzhou Crafts sont "
        "concernées",
    ]
    assert all(m.to == ["li@example.test"] for m in mail.outbox)
    assert "Jasmine soap" in next(m.body for m in mail.outbox if "Règles" in m.subject)
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_lifted_rule_whose_reevaluation_was_never_queued_is_enforced_by_beat(
    django_capture_on_commit_callbacks,
):
    from policy.services.closure import rules_enforce_due
    from policy.services.rules import rule_update

    manager = UserFactory()
    cooperative = _foreign_seller(manager)
    beauty = category_ensure(slug="beauty", name="Beauty")
    soap = _listing(cooperative, manager, beauty, "Jasmine soap")
    regulator = RegulatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        rule = _protect(beauty, regulator)
    assert rules_enforce_due() is None  # enforced already: nothing is due
    assert Product.objects.get(pk=soap.pk).status == Product.Status.SUSPENDED

    # Lifted while the broker is away: its commit hooks never run here.
    rule_update(rule=rule, actor=regulator, is_active=False)
    assert Product.objects.get(pk=soap.pk).status == Product.Status.SUSPENDED

    assert rules_enforce_due().released == 1  # beat's hourly run
    assert Product.objects.get(pk=soap.pk).status == Product.Status.ACTIVE
    assert rules_enforce_due() is None
