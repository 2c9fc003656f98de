"""A buyer's email address is shown to nobody else, except where a task needs it
(the cooperative's own sub-order, to reach the buyer); reviews carry a public name the
buyer chooses (issue 14, item 10)."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from orders.services import aftersales, fulfilment
from tests.factories import RegulatorFactory, UserFactory, deliver

pytestmark = pytest.mark.django_db

BUYER_EMAIL = "siti.private@example.test"
SKIPPED = ("/admin/", "/media/", "/static/", "/accounts/", "/i18n/", "/healthz")


@pytest.fixture
def reviewed(cooperative, make_product, place):
    """A buyer with no name on the account, whose delivered order was reviewed and
    answered, and who cancelled a part of another order."""
    buyer = UserFactory(email=BUYER_EMAIL, full_name="")
    alpha = cooperative("Koperasi Alpha")
    basket = make_product(cooperative=alpha, title="Rattan basket", price=Decimal("50000"))
    part = place(buyer, {basket: 1}).seller_orders.get()
    deliver(part, alpha.manager)
    review = aftersales.review_create(
        order_line=part.lines.get(), buyer=buyer, rating=5, text="Lovely"
    )
    aftersales.review_reply(review=review, actor=alpha.manager, reply="Thank you")
    other = place(buyer, {basket: 1}).seller_orders.get()
    fulfilment.seller_order_cancel(seller_order=other, actor=buyer, reason="Ordered twice")
    return buyer, alpha, basket, part


def _crawl(client, seeds, limit=300) -> dict[str, str]:
    """Every HTML page reachable by GET links from ``seeds`` (query strings dropped)."""
    pages, queue, seen = {}, list(seeds), set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIPPED):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        pages[url] = html
        for href in re.findall(r'href="(/[^"#?]*)', html):
            queue.append(unescape(href))
    return pages


def _seeds(alpha, basket):
    return [
        reverse("home"),
        reverse("catalog:browse"),
        reverse("catalog:search"),
        reverse("catalog:product", args=[basket.slug]),
        reverse("sellers:directory"),
        reverse("sellers:storefront", args=[alpha.slug]),
        reverse("sellers:workspace"),
        reverse("catalog:workspace_products"),
        reverse("catalog:product_edit", args=[basket.pk]),
        reverse("orders:seller_queue"),
        reverse("orders:seller_queue") + "?status=all",
        reverse("policy:home"),
        reverse("sellers:verification_queue"),
        reverse("sellers:verification_detail", args=[alpha.pk]),
        reverse("policy:appeals"),
        reverse("policy:rules"),
    ]


def test_reviews_show_the_public_name_never_the_email(client, reviewed):
    buyer, _alpha, basket, _part = reviewed
    page = client.get(reverse("catalog:product", args=[basket.slug])).content.decode()
    assert "Lovely" in page
    assert "Verified buyer" in page
    assert BUYER_EMAIL not in page

    buyer.full_name = "Siti Nurhaliza Rahayu"
    buyer.save()
    cache.clear()  # the catalog's page fragments live up to ten minutes
    page = client.get(reverse("catalog:product", args=[basket.slug])).content.decode()
    assert "Siti R." in page

    client.force_login(buyer)
    response = client.post(reverse("account_home"), {"display_name": "  Siti   from Bandung "})
    assert response.status_code == 302
    cache.clear()
    page = client.get(reverse("catalog:product", args=[basket.slug])).content.decode()
    assert "Siti from Bandung" in page


def test_an_email_address_is_refused_as_a_public_name(client, reviewed):
    buyer = reviewed[0]
    client.force_login(buyer)
    response = client.post(reverse("account_home"), {"display_name": "siti@example.test"})
    assert response.status_code == 200
    assert "not an email address" in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.display_name == ""


@pytest.mark.parametrize("viewer", ["anonymous", "another buyer", "member", "regulator"])
def test_no_page_served_to_another_user_shows_the_buyers_email(reviewed, viewer):
    _buyer, alpha, basket, part = reviewed
    client = Client()
    if viewer == "another buyer":
        client.force_login(UserFactory())
    elif viewer == "member":
        client.force_login(alpha.member)
    elif viewer == "regulator":
        client.force_login(RegulatorFactory())
    pages = _crawl(client, _seeds(alpha, basket))
    # The cooperative reaches the buyer from its own sub-order: that page may say it.
    needed = set()
    if viewer == "member":
        needed = {
            reverse("orders:seller_order", args=[pk])
            for pk in alpha.seller_orders.values_list("pk", flat=True)
        }
        assert reverse("orders:seller_order", args=[part.pk]) in pages
    assert len(pages) > 8
    leaking = sorted(
        url for url, html in pages.items() if BUYER_EMAIL in html and url not in needed
    )
    assert leaking == []
