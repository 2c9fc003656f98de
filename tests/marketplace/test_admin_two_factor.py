"""The Django admin opens only to staff who enrolled in, and this session passed,
two-factor authentication (issue 14, item 11)."""

import pytest
from django.urls import reverse

from demo.management.commands.totp_code import current_code
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    AdminFactory,
    UserFactory,
    force_login_with_mfa,
)

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/",
    "/admin/marketplace/user/",
    "/admin/marketplace/user/add/",
    "/admin/catalog/product/",
    "/admin/autocomplete/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_staff_without_two_factor_is_sent_to_enrol_before_any_admin_page(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_enrolled_staff_whose_session_skipped_the_second_factor_must_enter_a_code(client, url):
    client.force_login(AdminFactory())  # a session signed in without the TOTP stage
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert response["Location"].endswith(f"?next={url}")


def test_a_plain_staff_member_needs_two_factor_too(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_entering_the_code_opens_the_admin_for_the_session(client):
    client.force_login(AdminFactory())
    response = client.get("/admin/marketplace/user/")
    response = client.post(response["Location"], {"code": current_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/marketplace/user/"
    assert client.get("/admin/marketplace/user/").status_code == 200


def test_signing_in_with_password_and_code_opens_the_admin(client):
    admin = AdminFactory()
    response = client.post(
        reverse("account_login"), {"login": admin.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_verified_session_opens_admin_pages(client):
    force_login_with_mfa(client, AdminFactory())
    for url in ADMIN_PAGES[:4]:
        assert client.get(url).status_code == 200, url


def test_signing_out_of_the_admin_needs_no_code(client):
    client.force_login(AdminFactory())
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
