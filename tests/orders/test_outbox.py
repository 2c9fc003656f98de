"""The email outbox: emails written in the checkout's own transaction (and rolled back
with it), sent once by the relay however often it runs, kept when the broker is down
and sent later, and delivered by a real worker on Redis."""

import itertools
import logging
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from catalog.models import Product
from marketplace.models import OutgoingEmail
from marketplace.notifications import MAX_ATTEMPTS, outbox_relay
from orders.models import Order
from orders.services.checkout import InsufficientStock
from tests.factories import CooperativeFactory, MembershipFactory
from tests.orders.conftest import check_out

pytestmark = pytest.mark.django_db


class FlakyBackend(locmem.EmailBackend):
    """The local-memory mailbox behind a mail server that refuses the next ``refusals``
    messages."""

    refusals = 0

    def send_messages(self, messages):
        if FlakyBackend.refusals > 0:
            FlakyBackend.refusals -= 1
            raise ConnectionRefusedError("SMTP down")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.refusals = 0
    yield FlakyBackend
    FlakyBackend.refusals = 0


def _time_passes():
    """The wait before the next attempt is over, for every email that waits."""
    OutgoingEmail.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now()
    )


@pytest.fixture
def two_coop_order(buyer, cooperative, make_product, place):
    """A placed order with one part from Alpha and one from Beta (one manager each)."""
    alpha, beta = cooperative("Koperasi Alpha"), cooperative("Koperasi Beta")
    a = make_product(cooperative=alpha, price=Decimal("50000"))
    b = make_product(cooperative=beta, price=Decimal("30000"))
    order = place(buyer, {a: 1, b: 2})
    return order, alpha, beta


def test_checkout_writes_an_email_to_the_buyer_and_one_to_each_cooperative(buyer, two_coop_order):
    order, alpha, beta = two_coop_order
    emails = {tuple(e.to): e for e in OutgoingEmail.objects.all()}
    assert set(emails) == {(buyer.email,), (alpha.manager.email,), (beta.manager.email,)}
    assert all(e.sent_at is None and e.attempts == 0 for e in emails.values())
    to_buyer = emails[(buyer.email,)]
    assert to_buyer.subject == f"Your order {order.number} is placed"
    assert f"/orders/{order.pk}/" in to_buyer.body
    assert "Koperasi Alpha" in to_buyer.body and "Koperasi Beta" in to_buyer.body
    to_alpha = emails[(alpha.manager.email,)]
    assert to_alpha.subject == f"New order {order.number}"
    part = order.seller_orders.get(cooperative=alpha)
    assert f"/orders/selling/{part.pk}/" in to_alpha.body
    # Members who are not managers are not written to.
    assert alpha.member.email not in str([e.to for e in emails.values()])
    # Nothing is sent before the transaction commits (this test's never does).
    assert mail.outbox == []


def test_a_cooperative_without_a_manager_gets_no_empty_email(buyer, make_product, place):
    nobody = CooperativeFactory()
    member = MembershipFactory(cooperative=nobody).user
    product = make_product(cooperative=nobody, actor=member)
    place(buyer, {product: 1})
    assert [e.to for e in OutgoingEmail.objects.all()] == [[buyer.email]]


def test_a_checkout_that_fails_writes_no_email(buyer, make_product, cart_with):
    cart = cart_with(buyer, {make_product(stock=1): 2})
    with pytest.raises(InsufficientStock):
        check_out(buyer, cart, payment_method="sandbox")
    assert not OutgoingEmail.objects.exists()


def test_the_emails_are_rolled_back_with_a_checkout_that_fails_after_writing_them(
    buyer, make_product, cart_with, monkeypatch
):
    """The last step of the checkout fails after the emails were written: the order, the
    stock taken and the emails all go, together."""
    product = make_product(stock=5)
    cart = cart_with(buyer, {product: 2})

    def broken():
        assert OutgoingEmail.objects.count() == 2  # written, inside the transaction
        raise RuntimeError("the lights went out")

    monkeypatch.setattr("orders.services.checkout.catalog_changed", broken)
    with pytest.raises(RuntimeError):
        check_out(buyer, cart, payment_method="sandbox")
    assert not OutgoingEmail.objects.exists()
    assert not Order.objects.exists()
    assert Product.objects.get(pk=product.pk).stock == 5
    assert cart.lines.count() == 1


def test_the_relay_sends_each_email_once_however_often_it_runs(buyer, two_coop_order):
    assert outbox_relay() == 3
    assert outbox_relay() == 0
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        e.to[0] for e in OutgoingEmail.objects.all()
    )
    assert all(e.sent_at and e.attempts == 1 for e in OutgoingEmail.objects.all())


def test_a_failed_send_is_retried_by_the_next_relay_once_its_wait_is_over(
    buyer, two_coop_order, flaky_mail
):
    flaky_mail.refusals = 1
    assert outbox_relay() == 2
    failed = OutgoingEmail.objects.get(sent_at__isnull=True)
    assert failed.attempts == 1 and "SMTP down" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    assert outbox_relay() == 0  # not due yet: the relay backs off
    _time_passes()
    assert outbox_relay() == 1
    failed.refresh_from_db()
    assert failed.sent_at and failed.attempts == 2
    assert failed.next_attempt_at is None
    assert len(mail.outbox) == 3


def test_an_email_that_keeps_failing_is_given_up_after_the_last_attempt(flaky_mail):
    email = OutgoingEmail.objects.create(to=["a@example.test"], subject="s", body="b")
    flaky_mail.refusals = 1000
    waits = []
    for _ in range(MAX_ATTEMPTS + 3):
        outbox_relay()
        email.refresh_from_db()
        if email.next_attempt_at is not None:
            waits.append(email.next_attempt_at - timezone.now())
        _time_passes()
    email.refresh_from_db()
    assert email.attempts == MAX_ATTEMPTS and email.sent_at is None
    assert email.next_attempt_at is None  # given up: no relay tries it again
    assert "SMTP down" in email.last_error  # and the reason is kept
    assert len(waits) == MAX_ATTEMPTS - 1
    assert all(a < b for a, b in itertools.pairwise(waits))  # waits longer each time
    assert mail.outbox == []


def test_an_email_already_sent_is_never_sent_again():
    OutgoingEmail.objects.create(
        to=["a@example.test"], subject="s", body="b", sent_at=timezone.now()
    )
    assert outbox_relay() == 0
    assert mail.outbox == []


# --- Broker down, broker up ------------------------------------------------------------------


def _reset_broker_connections(app):
    """Forget pooled broker connections, so that the next publish uses conf.broker_url."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    from marketplace.celery import app

    url, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    _reset_broker_connections(app)
    yield
    app.conf.broker_url, app.conf.task_always_eager = url, eager
    _reset_broker_connections(app)


@pytest.mark.django_db(transaction=True)
def test_a_checkout_succeeds_with_the_broker_down_and_its_emails_wait(
    buyer, cooperative, make_product, place, broker_down, caplog
):
    alpha = cooperative()
    product = make_product(cooperative=alpha, stock=3)
    with caplog.at_level(logging.WARNING, logger="marketplace.notifications"):
        order = place(buyer, {product: 1})
    assert "broker unavailable" in caplog.text  # the relay could not be asked
    assert Order.objects.filter(pk=order.pk).exists()
    assert Product.objects.get(pk=product.pk).stock == 2
    waiting = OutgoingEmail.objects.filter(sent_at__isnull=True)
    assert waiting.count() == 2
    assert mail.outbox == []

    # The periodic relay, once things are back, sends what waited.
    assert outbox_relay() == 2
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {buyer.email, alpha.manager.email}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_placed_orders_emails_arrive_through_a_real_worker(
    buyer, cooperative, make_product, place, celery_worker
):
    alpha = cooperative("Koperasi Alpha")
    product = make_product(cooperative=alpha)
    place(buyer, {product: 1})

    deadline = time.monotonic() + 20
    while len(mail.outbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([buyer.email, alpha.manager.email])
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
