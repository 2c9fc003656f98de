"""Every email goes through the outbox: written in the action's transaction, in the
reader's language, and delivered once, whether the broker or the mail server was away.

The checkout's own emails are specified in tests/orders/test_outbox.py, the policy's in
tests/policy/test_notifications.py.
"""

import email
import email.policy
import logging
import threading

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from marketplace.models import OutgoingEmail
from marketplace.notifications import Email, emails_queue, outbox_relay
from marketplace.tasks import relay_outbox
from sellers import services
from sellers.models import Membership
from tests.conftest import broker_queue_empty, free_port, running_worker, wait_until
from tests.factories import (
    PASSWORD,
    AdminFactory,
    RegulatorFactory,
    UserFactory,
    cooperative_register,
    force_login_with_mfa,
)

pytestmark = pytest.mark.django_db


def _cooperative(*managers):
    first, *others = managers
    cooperative = cooperative_register(
        first, legal_name="Koperasi Kopi", registration_number="KOP-7", story="We grow coffee."
    )
    for other in others:
        Membership.objects.create(cooperative=cooperative, user=other, role="manager")
    return cooperative


def _time_passes():
    """The wait before the next attempt is over, for every email that waits."""
    OutgoingEmail.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now()
    )


# --- Each in its reader's language ---------------------------------------------------------


def test_a_french_reading_manager_gets_the_verification_in_french_the_other_in_english():
    french = UserFactory(email="claire@example.test", preferred_language="fr")
    unset = UserFactory(email="budi@example.test")
    cooperative = _cooperative(french, unset)
    OutgoingEmail.objects.all().delete()

    services.cooperative_verify(cooperative=cooperative, actor=RegulatorFactory(), reason="ok")

    rows = {tuple(row.to): row for row in OutgoingEmail.objects.all()}
    assert set(rows) == {("claire@example.test",), ("budi@example.test",)}
    in_french, in_english = rows[("claire@example.test",)], rows[("budi@example.test",)]
    assert in_french.language == "fr" and in_english.language == "en"
    assert in_french.subject == "Nouveau statut de Koperasi Kopi : Vérifiée"
    assert "Le statut de Koperasi Kopi sur Lokapasar est désormais" in in_french.body
    assert "Votre coopérative peut désormais publier ses produits" in in_french.body
    assert in_english.subject == "Koperasi Kopi is now: Verified"
    assert "Your cooperative can now publish its products in the catalog." in in_english.body


def test_an_address_without_an_account_is_written_to_in_the_sites_language(settings):
    manager = UserFactory(preferred_language="fr")
    cooperative = _cooperative(manager)
    invitation = services.invitation_create(
        cooperative=cooperative, actor=manager, email="nouveau@example.test", role="member"
    )
    row = OutgoingEmail.objects.get(to=["nouveau@example.test"])
    assert row.language == settings.LANGUAGE_CODE == "en"
    assert row.subject == "You are invited to join Koperasi Kopi on Lokapasar"
    assert invitation.token in row.body


def test_addresses_are_matched_to_accounts_whatever_their_case():
    UserFactory(email="claire@example.test", preferred_language="fr")
    (row,) = emails_queue(
        messages=[
            Email(
                ["Claire@Example.test"],
                "sellers/email/invitation_subject.txt",
                "sellers/email/invitation.txt",
                {"invitation": None, "accept_url": "x"},
            )
        ]
    )
    assert row.language == "fr" and row.to == ["Claire@Example.test"]


def test_switching_the_sites_language_becomes_the_signed_in_users_preference(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    user.refresh_from_db()
    assert user.preferred_language == "fr"

    client.post(reverse("set_language"), {"language": "klingon", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "fr"  # an unknown language changes nothing


def test_an_anonymous_visitor_switches_language_without_an_account(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_signing_in_records_the_language_the_site_speaks_to_the_user(client):
    user = UserFactory(email="ana@example.test")
    client.post(
        reverse("account_login"),
        {"login": "ana@example.test", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
    )
    user.refresh_from_db()
    assert user.preferred_language == "fr"


def test_a_language_chosen_before_signing_in_replaces_the_preference(client):
    user = UserFactory(email="ana@example.test", preferred_language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.post(reverse("account_login"), {"login": "ana@example.test", "password": PASSWORD})
    user.refresh_from_db()
    assert user.preferred_language == "fr"


def test_signing_in_on_a_new_browser_brings_back_the_users_language(client):
    UserFactory(email="ana@example.test", preferred_language="fr")
    response = client.post(
        reverse("account_login"), {"login": "ana@example.test", "password": PASSWORD}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_the_language_is_edited_on_the_account_page(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("account_home"))
    assert b'name="preferred_language"' in page.content

    response = client.post(reverse("account_home"), {"preferred_language": "vi"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "vi"

    response = client.post(reverse("account_home"), {"preferred_language": "xx"})
    assert (
        response.status_code == 200
        and "preferred_language" in response.context["language_form"].errors
    )
    user.refresh_from_db()
    assert user.preferred_language == "vi"


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_is_sent_through_the_outbox_in_the_readers_language(client):
    UserFactory(email="claire@example.test", preferred_language="fr")
    client.post(reverse("account_reset_password"), {"email": "claire@example.test"})
    row = OutgoingEmail.objects.get(to=["claire@example.test"])
    assert row.language == "fr" and row.sent_at is not None  # relayed once committed
    assert row.subject == "[Lokapasar] E-mail de réinitialisation de mot de passe"
    assert "cliquez sur le lien ci-dessous pour réinitialiser votre mot de passe" in row.body
    assert [m.to for m in mail.outbox] == [["claire@example.test"]]
    assert mail.outbox[0].body == row.body


# --- Given up, then tried again --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_administrator_tries_given_up_emails_again_from_the_admin(client):
    given_up = OutgoingEmail.objects.create(
        to=["a@example.test"],
        subject="s",
        body="b",
        attempts=8,
        next_attempt_at=None,
        last_error="SMTPRecipientsRefused: 550",
    )
    sent = OutgoingEmail.objects.create(
        to=["b@example.test"],
        subject="t",
        body="c",
        attempts=1,
        next_attempt_at=None,
        sent_at=timezone.now(),
    )
    force_login_with_mfa(client, AdminFactory())
    page = client.get(reverse("admin:marketplace_outgoingemail_changelist"))
    assert page.status_code == 200 and b"SMTPRecipientsRefused" not in page.content
    response = client.post(
        reverse("admin:marketplace_outgoingemail_changelist"),
        {"action": "retry", "_selected_action": [given_up.pk, sent.pk]},
    )
    assert response.status_code == 302
    # Tried again at once (the relay runs in-process here), and the sent one left alone.
    given_up.refresh_from_db()
    assert given_up.sent_at is not None and given_up.attempts == 1
    assert [m.to for m in mail.outbox] == [["a@example.test"]]


# --- Two relays at once --------------------------------------------------------------------


class HoldingBackend(locmem.EmailBackend):
    """The local-memory mailbox; in the thread named "held", the first send waits until
    the test lets it go, so that relay keeps its rows locked meanwhile."""

    release = threading.Event()
    holding = threading.Event()

    def send_messages(self, messages):
        if threading.current_thread().name == "held" and not HoldingBackend.release.is_set():
            HoldingBackend.holding.set()
            assert HoldingBackend.release.wait(timeout=30)
        return super().send_messages(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_share_the_emails_and_never_send_one_twice(settings):
    settings.EMAIL_BACKEND = f"{__name__}.HoldingBackend"
    HoldingBackend.release.clear()
    HoldingBackend.holding.clear()
    for n in range(6):
        OutgoingEmail.objects.create(to=[f"reader{n}@example.test"], subject=f"s{n}", body="b")
    results = {}

    def held_relay():
        try:
            results["held"] = outbox_relay(limit=3)
        finally:
            connection.close()

    thread = threading.Thread(target=held_relay, name="held")
    thread.start()
    assert HoldingBackend.holding.wait(timeout=30)  # the first relay holds three rows
    results["other"] = outbox_relay()  # skips them rather than waiting for them
    HoldingBackend.release.set()
    thread.join(timeout=30)

    assert results == {"held": 3, "other": 3}
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.test" for n in range(6)]
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}


# --- A mail server that refuses, then accepts ----------------------------------------------


class RefusingThenAcceptingServer:
    """An SMTP server on 127.0.0.1 that answers 451 (try again later) to every
    recipient while ``refusing``, and keeps what it accepts."""

    def __init__(self):
        self.refusing = True
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    handler = RefusingThenAcceptingServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    yield handler
    controller.stop()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_refusing_mail_server_leaves_emails_waiting_with_the_error_until_it_accepts(
    smtp_server, celery_worker
):
    manager = UserFactory(email="chief@example.test", preferred_language="fr")
    cooperative = _cooperative(manager)
    regulator = RegulatorFactory()
    OutgoingEmail.objects.update(sent_at=timezone.now(), next_attempt_at=None)

    services.cooperative_verify(cooperative=cooperative, actor=regulator, reason="Tout est là")
    row = OutgoingEmail.objects.get(sent_at__isnull=True)
    # The worker, nudged on commit, tried and was refused: the row waits, with the reason.
    assert wait_until(lambda: OutgoingEmail.objects.get(pk=row.pk).attempts == 1)
    row.refresh_from_db()
    assert row.sent_at is None and row.next_attempt_at > timezone.now()
    assert "451" in row.last_error and "try again later" in row.last_error
    assert smtp_server.received == []

    # The mail server accepts again; beat's relay runs once the wait is over.
    smtp_server.refusing = False
    _time_passes()
    relay_outbox.delay()
    assert wait_until(lambda: OutgoingEmail.objects.filter(pk=row.pk, sent_at__isnull=False))
    relay_outbox.delay()  # a later run finds nothing more to send
    assert wait_until(broker_queue_empty)
    assert outbox_relay() == 0

    assert len(smtp_server.received) == 1
    recipients, message = smtp_server.received[0]
    assert recipients == ["chief@example.test"]
    assert message["Subject"] == "Nouveau statut de Koperasi Kopi : Vérifiée"
    assert "Tout est là" in message.get_content()
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at is None


# --- The broker down, then back ------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_verification_and_an_invitation_commit_with_the_broker_down_and_go_out_once_it_is_back(
    throwaway_broker, caplog
):
    from marketplace.celery import app

    manager = UserFactory(email="chief@example.test")
    cooperative = _cooperative(manager)
    regulator = RegulatorFactory()
    OutgoingEmail.objects.update(sent_at=timezone.now(), next_attempt_at=None)

    throwaway_broker.stop()
    with caplog.at_level(logging.WARNING, logger="marketplace.notifications"):
        services.cooperative_verify(cooperative=cooperative, actor=regulator, reason="All there")
        services.invitation_create(
            cooperative=cooperative, actor=manager, email="joiner@example.test", role="member"
        )
    cooperative.refresh_from_db()
    assert cooperative.status == "verified"  # the change committed
    assert "broker unavailable" in caplog.text  # the relay could not be nudged
    waiting = OutgoingEmail.objects.filter(sent_at__isnull=True)
    assert sorted(e.to[0] for e in waiting) == ["chief@example.test", "joiner@example.test"]
    assert mail.outbox == []

    # The broker is back: beat publishes its periodic relay, a real worker runs it.
    throwaway_broker.start()
    with running_worker(app):
        relay_outbox.delay()
        assert wait_until(lambda: len(mail.outbox) >= 2)
        relay_outbox.delay()
        relay_outbox.delay()
        assert wait_until(broker_queue_empty)
    assert outbox_relay() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["chief@example.test", "joiner@example.test"]
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    assert set(
        waiting.model.objects.filter(pk__in=[e.pk for e in waiting]).values_list(
            "attempts", flat=True
        )
    ) == {1}
