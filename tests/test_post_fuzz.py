"""Hostile POSTs to every URL pattern: a NUL byte, a 5 000-digit number and a 100 kB
string in every field never make a server error, and change nothing.

The patterns come from the resolver (tests/url_patterns.py), not from a list, so a new
page is attacked the day it is added. Each is posted by a visitor who may use it (the
role x URL matrix says who), with the names of the fields its page shows plus the names
the site's forms use; the database is compared before and after.
"""

import hashlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from tests.factories import force_login_with_mfa
from tests.test_permissions import LOGIN, MATRIX
from tests.url_patterns import url_for, url_patterns
from tests.world import module_world

pytestmark = pytest.mark.django_db

world = module_world()

PAYLOADS = {
    "nul": "a\x00b",
    "huge-number": "9" * 5000,
    "long-text": "x" * 100_000,
}

# The names the site's forms use, for pages that show no form on GET (actions).
COMMON_FIELDS = [
    "action", "code", "cooperative", "decision", "direction", "display_name", "email",
    "language", "login", "next", "note", "password", "password1", "password2",
    "preferred_language", "price", "product", "q", "quantity", "quote", "reason", "reply",
    "response", "restock", "role", "seller_orders", "set_to", "statement", "stock", "text",
    "title", "token", "tracking_reference", "carrier", "rating", "name", "phone", "street",
]  # fmt: skip

# Tables a refused POST may touch without changing anything the site keeps: sessions
# (a logout, a language choice) and the cache when it lives in the database.
UNTRACKED = {"django_session", "lokapasar_cache"}

# A visitor allowed on an app page, in this order of preference.
PREFERRED = ["manager", "buyer", "regulator", "admin", "member", "anonymous"]


def _visitors(pattern) -> list[str]:
    if pattern.name in MATRIX:
        _, _, expected = MATRIX[pattern.name]
        allowed = [v for v in PREFERRED if expected.get(v) not in {LOGIN, 403, 404, None}]
        return allowed[:1] or ["manager"]
    if pattern.name.startswith("admin:") or pattern.route.startswith("admin/"):
        return ["admin"]
    return ["anonymous", "buyer"]


def _kwargs(pattern, world) -> dict:
    if pattern.name in MATRIX and MATRIX[pattern.name][1]:
        return MATRIX[pattern.name][1](world)
    return {}


def _fingerprint() -> str:
    """A digest of every row of every table the site's models keep (but the time of a
    user's last sign-in: the test signs in again after a logout)."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.db_table in UNTRACKED or not model._meta.managed:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
        for row in model._default_manager.order_by("pk").values_list(*columns):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _field_names(client, url) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return set()
    html = response.content.decode()
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([\w-]+)"', html)) - {
        "csrfmiddlewaretoken"
    }


def _sign_in(client, world, visitor):
    user = world["users"][visitor]
    if user is None:
        return
    if visitor == "admin":
        force_login_with_mfa(client, user)
    else:
        client.force_login(user)


# The admin's confirmation pages act on any POST (that is their design, behind CSRF):
# a delete or a logout would change the data on purpose, not by accident.
def _acts_on_any_post(pattern) -> bool:
    return pattern.route.endswith("delete/") or pattern.key in {"admin:logout"}


# Buttons that take no input: a POST is the click, whatever else it carries, so they
# change what the click changes; for them the test asks only that nothing fails.
ACT_WITHOUT_INPUT = {
    "catalog:product_publish",
    "catalog:product_unpublish",
    "catalog:product_archive",
    "sellers:invitation_revoke",
}

CASES = [(p, v) for p in url_patterns() if not _acts_on_any_post(p) for v in _visitors(p)]


@pytest.mark.parametrize(("pattern", "visitor"), CASES, ids=[f"{p.key}-{v}" for p, v in CASES])
def test_hostile_posts_neither_crash_nor_change_anything(client, world, pattern, visitor):
    _sign_in(client, world, visitor)
    url = url_for(pattern, _kwargs(pattern, world))
    names = sorted(_field_names(client, url) | set(COMMON_FIELDS))
    before = _fingerprint()
    for kind, value in PAYLOADS.items():
        response = client.post(url, dict.fromkeys(names, value))
        assert response.status_code != 500, f"{kind} to {url}"
        if visitor != "anonymous" and "_auth_user_id" not in client.session:
            _sign_in(client, world, visitor)  # a logout ends the session: sign in again
    if pattern.key not in ACT_WITHOUT_INPUT:
        assert _fingerprint() == before, url


def test_every_pattern_is_attacked():
    attacked = {p.key for p, _ in CASES}
    assert len(attacked) > 150
    assert {p.key for p in url_patterns()} - attacked == {
        p.key for p in url_patterns() if _acts_on_any_post(p)
    }


def test_a_bulk_confirm_of_a_5000_digit_id_is_refused_with_a_message(client, world):
    client.force_login(world["users"]["manager"])
    response = client.post(
        reverse("orders:seller_bulk_confirm"), {"seller_orders": ["9" * 5000]}, follow=True
    )
    assert response.status_code == 200
    assert "This is not one of the choices offered." in response.content.decode()


def test_a_reply_with_a_nul_byte_is_refused_and_the_review_keeps_no_reply(client, world):
    review = world["review_a"]
    client.force_login(world["users"]["manager"])
    response = client.post(
        reverse("orders:review_reply", kwargs={"review_pk": review.pk}),
        {"reply": "Thanks\x00"},
        follow=True,
    )
    assert "Null characters are not allowed." in response.content.decode()
    review.refresh_from_db()
    assert review.reply == ""
