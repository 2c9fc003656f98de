"""Walk every URL pattern: anonymous visitors reach only the public pages.

Later issues extend this into the full role x URL matrix. A new URL that is neither
listed as public here nor protected fails this test, so nothing ships open by accident.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
    # The tree admin's JavaScript translation catalogue: static strings, no data.
    "admin:javascript-catalog",
}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern)


def _concrete(pattern: str) -> str:
    """Turn a route or regex into a URL that resolves, with placeholder arguments."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    return "/" + path


ALL_PATTERNS = sorted({(name or "", path) for name, path in _walk(get_resolver())})


def test_every_pattern_is_classified():
    assert len(ALL_PATTERNS) > 40


@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[p for _, p in ALL_PATTERNS])
def test_anonymous_visitor_is_sent_to_login_on_every_private_page(client, name, pattern):
    url = _concrete(pattern)
    response = client.get(url)
    if name in PUBLIC:
        # Public, though a step of a flow with nothing pending may send the visitor back.
        assert response.status_code in {200, 302, 404, 405}, url
        return
    if name.startswith("admin:") and name not in PUBLIC:
        # The admin sends the visitor to its login, which is the site's login.
        response = client.get(url, follow=True)
        assert response.redirect_chain, url
        assert response.redirect_chain[-1][0].startswith(reverse("account_login")), url
        return
    assert response.status_code == 302, f"{url} answered {response.status_code}"
    assert response["Location"].startswith(reverse("account_login")), url
