"""Every ``<time datetime>`` the pages print is a value HTML allows: no microseconds."""

import datetime
import re

import pytest
from django.urls import reverse

from catalog.services.categories import category_ensure
from marketplace.templatetags.html_time import html_datetime
from tests.factories import UserFactory, deliver, listing, place_order, seller

pytestmark = pytest.mark.django_db

# A global date and time (seconds at most, with its offset) or a date, per the HTML spec.
VALID = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z))?")


def test_a_moment_keeps_seconds_and_its_offset():
    moment = datetime.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC)
    assert html_datetime(moment) == "2026-03-01T08:30:15+00:00"
    assert html_datetime(datetime.date(2026, 3, 1)) == "2026-03-01"
    assert html_datetime(None) == ""


def test_order_pages_print_valid_datetime_attributes(client):
    cooperative, manager = seller()
    product = listing(
        cooperative,
        manager,
        category_ensure(slug="household-goods", name="Household goods"),
        stock=5,
        publish=True,
    )
    buyer = UserFactory()
    order = place_order(buyer, product)
    part = deliver(order.seller_orders.get(), manager)
    pages = {
        buyer: [reverse("orders:mine"), reverse("orders:detail", kwargs={"pk": order.pk})],
        manager: [
            reverse("orders:seller_queue") + "?status=delivered",
            reverse("orders:seller_order", kwargs={"pk": part.pk}),
            reverse("orders:packing_slip", kwargs={"pk": part.pk}),
            reverse("sellers:workspace"),
            reverse("sellers:members"),
        ],
    }
    seen = []
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            html = client.get(url).content.decode()
            seen += [(url, value) for value in re.findall(r'<time datetime="([^"]*)"', html)]
    assert len({url for url, _ in seen}) >= 5
    assert [(url, value) for url, value in seen if not VALID.fullmatch(value)] == []
