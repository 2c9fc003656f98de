"""Sign-up, email verification, login, logout, password reset, email change, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from marketplace.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+")


def _link_in_last_email() -> str:
    return LINK.search(mail.outbox[-1].body).group(0)


# Account emails go through the outbox, relayed once the request commits.
@pytest.mark.django_db(transaction=True)
def test_signup_sends_a_verification_link_and_login_waits_for_it(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Nina@Example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="nina@example.test")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox and "nina@example.test" in mail.outbox[-1].to

    # Logging in before verifying only re-sends the link.
    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"), {"login": "nina@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


# Account emails go through the outbox, relayed once the request commits.
@pytest.mark.django_db(transaction=True)
def test_verification_link_confirms_the_address_and_logs_in_then_logout(client):
    client.post(
        reverse("account_signup"),
        {"email": "ana@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    link = _link_in_last_email()
    page = client.get(link)
    assert page.status_code == 200  # confirmation is a POST, not a GET that mail scanners hit
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ana@example.test").verified
    assert client.get(reverse("account_home")).status_code == 200

    client.post(reverse("account_logout"))
    assert client.get(reverse("account_home")).status_code == 302

    response = client.post(
        reverse("account_login"), {"login": "ana@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("account_home")).status_code == 200


# Account emails go through the outbox, relayed once the request commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_by_emailed_link(client):
    user = UserFactory(email="reset@example.test")
    client.post(reverse("account_reset_password"), {"email": "reset@example.test"})
    link = _link_in_last_email()
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    new_password = "a-brand-new-passphrase-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_unknown_email_gets_the_same_answer_as_a_known_one(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


# Account emails go through the outbox, relayed once the request commits.
@pytest.mark.django_db(transaction=True)
def test_email_change_is_verified_before_it_becomes_primary(client):
    user = UserFactory(email="old@example.test")
    client.force_login(user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "new@example.test"}
    )
    assert response.status_code == 302
    new = EmailAddress.objects.get(email="new@example.test")
    assert not new.verified
    user.refresh_from_db()
    assert user.email == "old@example.test"

    client.post(_link_in_last_email())
    user.refresh_from_db()
    assert user.email == "new@example.test"
    assert not EmailAddress.objects.filter(email="old@example.test").exists()


def test_repeated_failed_logins_are_rate_limited(client):
    UserFactory(email="target@example.test")
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "target@example.test", "password": "wrong"}
        )
        assert "Too many failed login attempts" not in response.content.decode()
    # Once the limit is reached even the right password is refused for a while.
    response = client.post(
        reverse("account_login"), {"login": "target@example.test", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_the_rate_limited_site_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_refuses_a_signed_in_non_staff_user(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:login")).status_code == 403
