"""Public catalog pages run a fixed number of queries, whatever the size of the catalog:
3 products or 30 from 6 cooperatives with 2 photos each cost the same."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CooperativeFactory, ProvinceFactory

pytestmark = pytest.mark.django_db

# The smallest bound that passes; a page needing more has an N+1 query.
MAX_QUERIES = {
    "home": 3,
    "browse": 3,
    "search": 3,
    "category": 5,
    "product": 5,
}


def _fill(make_product, *, cooperatives: int, per_cooperative: int, photos: int):
    products = []
    for c in range(cooperatives):
        cooperative = CooperativeFactory(province=ProvinceFactory())
        for n in range(per_cooperative):
            category = ("household", "kitchenware", "sarongs")[n % 3]
            products.append(
                make_product(
                    cooperative=cooperative,
                    category=category,
                    title=f"Woven basket {c}-{n}",
                    price=Decimal(10000 + 1000 * n),
                    photos=photos,
                )
            )
    return products


def _urls(products) -> dict[str, tuple[str, dict]]:
    return {
        "home": (reverse("home"), {}),
        "browse": (reverse("catalog:browse"), {}),
        "search": (reverse("catalog:search"), {"q": "basket", "in_stock": "on"}),
        "category": (reverse("catalog:category", args=["household-goods"]), {}),
        "product": (reverse("catalog:product", args=[products[-1].slug]), {}),
    }


def _count(client, url, params) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.content


@pytest.mark.parametrize("page", list(MAX_QUERIES))
def test_a_public_page_costs_the_same_queries_for_3_or_30_products(
    client, make_product, django_assert_max_num_queries, page
):
    small = _fill(make_product, cooperatives=1, per_cooperative=3, photos=1)
    url, params = _urls(small)[page]
    cache.clear()  # both renders cold: no fragment or lookup cached
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        few, _ = _count(client, url, params)

    large = _fill(make_product, cooperatives=6, per_cooperative=5, photos=2)
    url, params = _urls(large)[page]
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        many, content = _count(client, url, params)
    assert many == few
    if page != "product":
        assert b"Woven basket 5-4" in content  # the newest listing is on the page
