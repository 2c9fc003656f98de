"""Failed sign-ins slow the guesser down and never lock the owner out (issue 14, item 12)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from demo.management.commands.totp_code import current_code
from marketplace import login_throttle
from tests.factories import PASSWORD, TOTP_SECRET, RegulatorFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "Too many failed login attempts"
GUESSER = "203.0.113.9"
OWNER = "198.51.100.7"


def _sign_in(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def _refused(response) -> bool:
    return response.status_code == 200 and REFUSED in response.content.decode()


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(login_throttle, "_now", lambda: now[0])

    class Clock:
        def advance(self, seconds: float) -> None:
            now[0] += seconds

    return Clock()


def test_a_guessers_wrong_passwords_do_not_stop_the_regulator_signing_in_from_elsewhere(client):
    regulator = RegulatorFactory(email="regulator@example.test")
    guesser = client
    for _ in range(25):  # allauth refuses more than 30 sign-in posts a minute from one address
        _sign_in(guesser, regulator.email, "wrong-guess", GUESSER)
    # The guesser's address is refused now, even with the right password.
    assert _refused(_sign_in(guesser, regulator.email, PASSWORD, GUESSER))
    assert not _signed_in(guesser)

    owner = Client()
    response = _sign_in(owner, regulator.email, PASSWORD, OWNER)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    response = owner.post(
        reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)}, REMOTE_ADDR=OWNER
    )
    assert response.status_code == 302
    assert _signed_in(owner)
    assert owner.get(reverse("policy:home"), REMOTE_ADDR=OWNER).status_code == 200


def test_the_wait_doubles_with_each_failure_after_the_free_ones(client, clock):
    user = UserFactory()
    for _ in range(5):
        assert not _refused(_sign_in(client, user.email, "wrong", GUESSER))
    assert _refused(_sign_in(client, user.email, PASSWORD, GUESSER))
    clock.advance(29)
    assert _refused(_sign_in(client, user.email, PASSWORD, GUESSER))
    clock.advance(2)  # the first wait (30 s) is over: one more try
    assert not _refused(_sign_in(client, user.email, "wrong", GUESSER))
    clock.advance(59)  # a failure now costs 60 s
    assert _refused(_sign_in(client, user.email, PASSWORD, GUESSER))
    clock.advance(2)
    _sign_in(client, user.email, PASSWORD, GUESSER)
    assert _signed_in(client)


def test_an_address_guessing_many_accounts_is_refused_for_every_account(client):
    victims = UserFactory.create_batch(20)
    for victim in victims:
        _sign_in(client, victim.email, "wrong", GUESSER)
    fresh = UserFactory()
    assert _refused(_sign_in(client, fresh.email, PASSWORD, GUESSER))
    # Another address is not affected.
    _sign_in(client, fresh.email, PASSWORD, OWNER)
    assert _signed_in(client)


def test_a_guess_spread_over_many_addresses_spares_the_owners_known_browser(client):
    user = UserFactory(email="owner@example.test")
    owners_browser = Client()
    _sign_in(owners_browser, user.email, PASSWORD, OWNER)
    assert _signed_in(owners_browser)
    owners_browser.post(reverse("account_logout"))

    for n in range(60):
        _sign_in(Client(), user.email, "wrong", f"192.0.2.{n + 1}")

    # A browser that never signed in to the account waits, wherever it is...
    stranger = Client()
    assert _refused(_sign_in(stranger, user.email, PASSWORD, "100.64.0.1"))
    # ...the owner's browser signs in with the right password, from a new address too.
    _sign_in(owners_browser, user.email, PASSWORD, "100.64.0.2")
    assert _signed_in(owners_browser)


# Account emails go through the outbox, relayed once the request commits.
@pytest.mark.django_db(transaction=True)
def test_resetting_the_password_by_email_unlocks_the_account_for_any_browser(client):
    user = UserFactory(email="owner@example.test")
    for n in range(60):
        _sign_in(Client(), user.email, "wrong", f"192.0.2.{n + 1}")
    assert _refused(_sign_in(client, user.email, PASSWORD, OWNER))

    client.post(reverse("account_reset_password"), {"email": user.email}, REMOTE_ADDR=OWNER)
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    response = client.get(link, follow=True, REMOTE_ADDR=OWNER)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    new_password = "a-brand-new-passphrase-42"
    client.post(form_url, {"password1": new_password, "password2": new_password}, REMOTE_ADDR=OWNER)

    _sign_in(client, user.email, new_password, OWNER)
    assert _signed_in(client)
