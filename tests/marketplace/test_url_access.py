"""Walk every URL pattern: anonymous visitors reach only the public pages.

The full role x URL matrix is tests/test_permissions.py; this walk is the quick net: a new
URL that is neither listed as public here nor protected fails it, so nothing ships open
by accident.
"""

import pytest
from django.urls import reverse

from tests.url_patterns import url_for, url_patterns

pytestmark = pytest.mark.django_db

# Pages anyone may open, by URL name.
PUBLIC = {
    "home",
    "catalog:browse",
    "catalog:search",
    "catalog:category",
    "catalog:product",
    "sellers:directory",
    "orders:cart",
    "orders:cart_add",
    "orders:cart_update",
    "orders:cart_remove",
    "sellers:storefront",
    "healthz",
    "set_language",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_logout",
    "account_login_code_confirm",
    "account_confirm_login_code",
    "account_signup_by_passkey",
    "account_inactive",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_trust",
    "account_reauthenticate",
    "account_request_login_code",
    "media",
    "certificates:check",
    "certificates:print",
    "certificates:qr",
    "recalls:list",
    "recalls:feed",
    "recalls:detail",
    # The tree admin's JavaScript translation catalogue: static strings, no data.
    "admin:javascript-catalog",
    # The data API's description and its reference page (no data); its root is empty.
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    "api-v1:api-root",
}

# The data API: no login page for its callers (other systems), a 401 without a token.
TOKEN_ONLY = {
    "api-v1:figures_headline",
    "api-v1:figures_table",
    "api-v1:cooperatives",
    "api-v1:cooperative",
    "api-v1:recalls",
    "api-v1:certificates",
}


ALL_PATTERNS = [(p.name, p) for p in url_patterns()]


def test_every_pattern_is_classified():
    assert len(ALL_PATTERNS) > 40


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[p.key for _, p in ALL_PATTERNS])
def test_anonymous_visitor_is_sent_to_login_on_every_private_page(client, name, pattern):
    url = url_for(pattern)
    response = client.get(url)
    if name in PUBLIC:
        # Public, though a step of a flow with nothing pending may send the visitor back.
        assert response.status_code in {200, 302, 404, 405}, url
        return
    if name in TOKEN_ONLY:
        assert response.status_code == 401, url
        assert response.json() == {"detail": "Unauthorized"}, url
        return
    if (name.startswith("admin:") or pattern.route.startswith("admin/")) and name not in PUBLIC:
        # The admin sends the visitor to its login, which is the site's login.
        response = client.get(url, follow=True)
        assert response.redirect_chain, url
        assert response.redirect_chain[-1][0].startswith(reverse("account_login")), url
        return
    assert response.status_code == 302, f"{url} answered {response.status_code}"
    assert response["Location"].startswith(reverse("account_login")), url
