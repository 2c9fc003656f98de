"""The monitoring dashboard (issue 12): daily rollups built from the orders and the
regulator's records, hand-computed; the page and its charts read only them, follow the
filters in the URL, drill down to a province and a cooperative, and download every table
with its filters written in it; no buyer's personal data anywhere."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.services.categories import category_ensure
from orders.services.aftersales import return_decide, return_request
from orders.services.fulfilment import seller_order_cancel
from policy.models import ActivityRollup, SalesRollup
from policy.services.rollups import rollups_rebuild
from tests.factories import (
    ProvinceFactory,
    RegulatorFactory,
    UserFactory,
    deliver,
    force_login_with_mfa,
    listing,
    place_order,
    seller,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(settings):
    """Two provinces' cooperatives and one abroad; today: Alpha (Bali) sells 3 x 10 000
    and 1 x 25 000 in one order, Beta (Java) 2 x 40 000 and a cancelled 1 x 40 000, the
    cooperative abroad 1 x 50 000; one jar of Alpha's comes back (refund 11 100)."""
    from policy.services.taxes import taxes_seed_defaults

    settings.RETURN_WINDOW_DAYS = 30
    taxes_seed_defaults(country="ID")  # VAT 11 %
    bali = ProvinceFactory(code="ID-BA", name="Bali")
    java = ProvinceFactory(code="ID-JB", name="Jawa Barat")
    food = category_ensure(slug="food-and-beverages", name="Food & beverages")
    honey = category_ensure(slug="honey", name="Honey", parent=food)
    crafts = category_ensure(slug="crafts", name="Crafts")
    alpha, alpha_manager = seller("ID", legal_name="Koperasi Alpha", province=bali, commune="Ubud")
    beta, beta_manager = seller("ID", legal_name="Koperasi Beta", province=java, commune="Garut")
    abroad, abroad_manager = seller("CN", legal_name="Guangzhou Crafts Ltd")
    buyer = UserFactory(email="siti.rahayu@example.test")

    def product(cooperative, manager, category, title, price):
        return listing(
            cooperative, manager, category, title=title, price=price, stock=50, publish=True
        )

    jar = product(alpha, alpha_manager, honey, "Jar", "10000")
    pot = product(alpha, alpha_manager, crafts, "Pot", "25000")
    sack = product(beta, beta_manager, food, "Coffee sack", "40000")
    vase = product(abroad, abroad_manager, crafts, "Vase", "50000")

    import uuid

    from orders.services.cart import cart_add, cart_get
    from orders.services.checkout import ShippingAddress, checkout_complete

    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, product_id=jar.pk, quantity=3)
    cart_add(cart=cart, product_id=pot.pk, quantity=1)
    address = ShippingAddress(
        name="Siti Rahayu",
        phone="+62 812 3456 7890",
        country="ID",
        province="Bali",
        commune="Ubud",
        street="Jl. Raya 1",
    )
    order = checkout_complete(
        buyer=buyer, cart=cart, address=address, payment_method="on_delivery", token=uuid.uuid4()
    )
    alpha_part = deliver(order.seller_orders.get(), alpha_manager)
    place_order(buyer, sack, quantity=2)
    cancelled = place_order(buyer, sack, quantity=1).seller_orders.get()
    seller_order_cancel(seller_order=cancelled, actor=buyer, reason="Changed my mind")
    place_order(buyer, vase, quantity=1)
    request = return_request(
        seller_order=alpha_part,
        buyer=buyer,
        quantities={alpha_part.lines.get(product=jar).pk: 1},
        reason="Cracked",
    )
    return_decide(return_request=request, actor=alpha_manager, accept=True, restock_items=False)
    return {
        "bali": bali,
        "java": java,
        "food": food,
        "crafts": crafts,
        "alpha": alpha,
        "beta": beta,
        "abroad": abroad,
        "buyer": buyer,
    }


def _regulator():
    client = Client()
    force_login_with_mfa(client, RegulatorFactory())
    return client


def _sum(**filters):
    return SalesRollup.objects.filter(**filters).aggregate(
        gross=Sum("gross"),
        orders=Sum("orders"),
        lines=Sum("lines"),
        units=Sum("units"),
        vat=Sum("vat"),
        refunds=Sum("refunds"),
    )


def test_the_rollups_of_a_day_are_hand_computed_and_a_rebuild_changes_nothing(market):
    today = timezone.localdate()
    assert rollups_rebuild(first=today - timedelta(days=2)) == 3
    # Alpha: 30 000 + 25 000 before VAT, VAT 11 %: 3 300 + 2 750; one order, in two
    # categories (counted once, in the first line's); a jar back: 10 000 + 1 100 VAT.
    assert _sum(cooperative=market["alpha"]) == {
        "gross": Decimal("55000"),
        "orders": 1,
        "lines": 2,
        "units": 4,
        "vat": Decimal("6050"),
        "refunds": Decimal("11100"),
    }
    # Beta: the cancelled order is left out.
    assert _sum(cooperative=market["beta"])["gross"] == Decimal("80000")
    assert _sum(cross_border=True)["gross"] == Decimal("50000")
    assert set(SalesRollup.objects.values_list("province__name", flat=True)) == {
        "Bali",
        "Jawa Barat",
        None,
    }
    assert _sum(category=market["crafts"])["gross"] == Decimal("75000")
    registered = ActivityRollup.objects.filter(kind="onboarded").aggregate(n=Sum("count"))["n"]
    assert registered == 3
    before = sorted(
        SalesRollup.objects.values_list(
            "day", "cooperative", "category", "gross", "orders", "refunds"
        )
    )
    rollups_rebuild(first=today - timedelta(days=2))
    after = sorted(
        SalesRollup.objects.values_list(
            "day", "cooperative", "category", "gross", "orders", "refunds"
        )
    )
    assert after == before


def test_the_command_rebuilds_from_a_day_and_refuses_a_bad_one(market, capsys):
    from django.core.management import CommandError, call_command

    call_command("rebuild_rollups", "--from", timezone.localdate().isoformat())
    assert "1 days" in capsys.readouterr().out
    assert SalesRollup.objects.exists()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rebuild_rollups", "--from", "June")


def test_the_dashboard_shows_the_period_and_follows_its_filters(
    market, django_assert_max_num_queries
):
    rollups_rebuild(first=timezone.localdate())
    client = _regulator()
    client.get(reverse("policy:dashboard"))  # the cached lists of provinces and categories
    with django_assert_max_num_queries(15):
        page = client.get(reverse("policy:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    # 55 000 + 80 000 + 50 000 = 185 000 sales; 50 000 of them from abroad: 27.0 %.
    assert "IDR 185,000" in html and "27.0 %" in html
    assert "siti.rahayu" not in html and "Siti Rahayu" not in html
    bali = client.get(reverse("policy:dashboard"), {"province": market["bali"].pk})
    html = bali.content.decode()
    assert "IDR 55,000" in html and "IDR 185,000" not in html
    assert "Koperasi Alpha" in html and "Ubud" in html  # the drill-down
    crafts = client.get(reverse("policy:dashboard"), {"category": market["crafts"].pk})
    assert "IDR 75,000" in crafts.content.decode()
    local = client.get(reverse("policy:dashboard"), {"origin": "local"})
    assert "IDR 135,000" in local.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_data(market, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rollups_rebuild(first=timezone.localdate())
    client = _regulator()
    client.get(reverse("policy:dashboard"))  # the caches of provinces and categories
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("policy:dashboard"), {"province": market["bali"].pk})
    for n in range(5):
        buyer = UserFactory()
        for cooperative in ("alpha", "beta"):
            product = market[cooperative].products.first()
            place_order(buyer, product, quantity=n + 1)
    rollups_rebuild(first=timezone.localdate())
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("policy:dashboard"), {"province": market["bali"].pk})
    assert len(large) == len(small)


@pytest.mark.redis
def test_with_redis_as_the_cache_a_provinces_page_costs_at_most_15_queries(
    market, django_assert_max_num_queries
):
    rollups_rebuild(first=timezone.localdate())
    client = _regulator()
    client.get(reverse("policy:dashboard"))  # the caches of provinces and categories
    with django_assert_max_num_queries(15):
        page = client.get(reverse("policy:dashboard"), {"province": market["bali"].pk})
    assert "Koperasi Alpha" in page.content.decode()


def test_every_chart_is_an_svg_without_script_under_its_own_policy(market):
    rollups_rebuild(first=timezone.localdate())
    client = _regulator()
    for name in ("time", "province", "category", "onboarding", "blocks"):
        chart = client.get(reverse("policy:dashboard_chart", args=[name]), {"origin": "local"})
        assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
        body = chart.content.decode()
        assert body.startswith("<svg") and "<script" not in body
        policy = chart["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
    province = client.get(reverse("policy:dashboard_chart", args=["province"])).content.decode()
    assert "Jawa Barat" in province
    assert client.get(reverse("policy:dashboard_chart", args=["nothing"])).status_code == 404
    page = client.get(reverse("policy:dashboard"))
    assert "default-src 'self'" in page["Content-Security-Policy"]  # the page stays strict


def test_a_table_downloads_with_its_filters_in_its_first_rows(market):
    rollups_rebuild(first=timezone.localdate())
    client = _regulator()
    query = {"province": market["bali"].pk, "origin": "local"}
    response = client.get(reverse("policy:dashboard_export", args=["cooperatives", "csv"]), query)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Lokapasar monitoring dashboard"]
    assert rows[2] == ["Province", "Bali"] and rows[4] == ["Sellers", "Local"]
    assert ["Koperasi Alpha", "Ubud", "55000.00", "1"] in rows
    assert not any("siti" in cell.lower() for row in rows for cell in row)
    sheet = client.get(reverse("policy:dashboard_export", args=["province", "xlsx"]), query)
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    for bad in (("province", "pdf"), ("nothing", "csv")):
        assert client.get(reverse("policy:dashboard_export", args=bad)).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-10-01", "end": "2026-09-01"},
        {"period": "custom", "start": "1000-01-01", "end": "9999-12-31"},
        {"period": "custom"},
        {"province": "99999999999999999999"},
        {"category": "x\x00"},
        {"origin": "elsewhere", "period": "eons"},
        {"start": "2026-13-45"},
    ],
)
def test_bad_filters_get_a_clear_answer_never_an_error(market, query):
    client = _regulator()
    page = client.get(reverse("policy:dashboard"), query)
    assert page.status_code == 200
    assert page.context["form"].errors  # said on the page; the default period shown
    for name in ("time", "province"):
        assert client.get(reverse("policy:dashboard_chart", args=[name]), query).status_code == 200
    export = client.get(reverse("policy:dashboard_export", args=["time", "csv"]), query)
    assert export.status_code == 200


def test_a_cooperatives_page_for_regulators(market):
    rollups_rebuild(first=timezone.localdate())
    client = _regulator()
    alpha = market["alpha"]
    page = client.get(reverse("policy:dashboard_cooperative", args=[alpha.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Koperasi Alpha" in html and "IDR 55,000" in html and "IDR 11,100" in html
    chart = client.get(
        reverse("policy:dashboard_chart", args=["cooperative"]), {"cooperative": alpha.pk}
    )
    assert chart.status_code == 200
    bad = client.get(reverse("policy:dashboard_chart", args=["cooperative"]), {"cooperative": "x"})
    assert bad.status_code == 404
    assert client.get(reverse("policy:dashboard_cooperative", args=[10**9])).status_code == 404
