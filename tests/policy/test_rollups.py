"""The market's and the cooperatives' rollups (``MarketRollup``, ``CooperativeRollup``)
say what the sales rollup says, after a rebuild and after a refresh; the dashboard's
counts of distinct cooperatives read from them are right for a period that starts in the
middle of a month (its edge days) as for whole months."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.services.categories import category_ensure
from orders.models import Order, ReturnRequest
from orders.services.aftersales import return_decide, return_request
from policy.models import CooperativeRollup, MarketRollup, SalesRollup
from policy.selectors.dashboard import (
    Filters,
    communes_and_cooperatives,
    headline,
    sales_by_province,
)
from policy.services.rollups import rollups_rebuild, rollups_refresh
from tests.factories import ProvinceFactory, UserFactory, deliver, listing, place_order, seller

pytestmark = pytest.mark.django_db

SUMS = ("orders", "lines", "units", "gross", "refunds", "vat", "withholding")


def _months_back(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


def _order_on(buyer, product, day: date, *, quantity: int = 1):
    order = place_order(buyer, product, quantity=quantity)
    Order.objects.filter(pk=order.pk).update(created_at=_at(day))
    return order


def _refund_on(order, manager, buyer, day: date):
    part = deliver(order.seller_orders.get(), manager)
    request = return_request(
        seller_order=part,
        buyer=buyer,
        quantities={part.lines.get().pk: 1},
        reason="Broken",
    )
    return_decide(return_request=request, actor=manager, accept=True, restock_items=False)
    ReturnRequest.objects.filter(pk=request.pk).update(decided_at=_at(day))


@pytest.fixture
def months(settings):
    """Five cooperatives over this month and the two before it (M-2, M-1, M):
    Alpha (Bali) sells on M-2's 10th, Beta (Bali) on M-2's 20th, Gamma (Jawa Barat) on
    M-1's 5th, Delta (Jawa Barat) on M-2's 3rd and takes a jar back on M-1's 8th (a
    refund, no order), the cooperative abroad sells today."""
    from policy.services.taxes import taxes_seed_defaults

    settings.RETURN_WINDOW_DAYS = 365
    taxes_seed_defaults(country="ID")
    today = timezone.localdate()
    m2, m1 = _months_back(today, 2), _months_back(today, 1)
    bali = ProvinceFactory(code="ID-BA", name="Bali")
    java = ProvinceFactory(code="ID-JB", name="Jawa Barat")
    honey = category_ensure(slug="honey", name="Honey")
    buyer = UserFactory()
    sellers = {
        "alpha": seller("ID", legal_name="Koperasi Alpha", province=bali, commune="Ubud"),
        "beta": seller("ID", legal_name="Koperasi Beta", province=bali, commune="Ubud"),
        "gamma": seller("ID", legal_name="Koperasi Gamma", province=java, commune="Garut"),
        "delta": seller("ID", legal_name="Koperasi Delta", province=java, commune="Garut"),
        "abroad": seller("CN", legal_name="Guangzhou Honey Ltd"),
    }
    jars = {
        name: listing(coop, manager, honey, title="Jar", price="10000", stock=50, publish=True)
        for name, (coop, manager) in sellers.items()
    }
    _order_on(buyer, jars["alpha"], m2 + timedelta(days=9))
    _order_on(buyer, jars["beta"], m2 + timedelta(days=19), quantity=2)
    _order_on(buyer, jars["gamma"], m1 + timedelta(days=4), quantity=3)
    delta = _order_on(buyer, jars["delta"], m2 + timedelta(days=2))
    _refund_on(delta, sellers["delta"][1], buyer, m1 + timedelta(days=7))
    _order_on(buyer, jars["abroad"], today)
    rollups_rebuild(first=m2)
    return {
        "today": today,
        "m2": m2,
        "m1": m1,
        "bali": bali,
        "java": java,
        "buyer": buyer,
        "jars": jars,
    }


def _bit(n: int) -> int:
    return 1 << (n - 1)


def _expected() -> tuple[dict, dict]:
    """The market's and the cooperatives' rows, worked out here from the sales rows."""
    market: dict = defaultdict(lambda: [0] * len(SUMS))
    cooperatives: dict = defaultdict(lambda: [0, 0])
    for row in SalesRollup.objects.all():
        where = (row.province_id, row.category_id, row.cross_border)
        month, year = row.day.replace(day=1), row.day.replace(month=1, day=1)
        for key in (("day", row.day, *where), ("month", month, *where)):
            for n, name in enumerate(SUMS):
                market[key][n] += getattr(row, name)
        who = (row.cooperative_id, *where)
        for key, bit in (
            (("month", month, *who), _bit(row.day.day)),
            (("year", year, *who), _bit(row.day.month)),
        ):
            cooperatives[key][0] |= bit if row.orders else 0
            cooperatives[key][1] |= bit
    return (
        {key: tuple(sums) for key, sums in market.items()},
        {key: tuple(bits) for key, bits in cooperatives.items()},
    )


def _built() -> tuple[dict, dict]:
    market = MarketRollup.objects.values_list(
        "span", "day", "province_id", "category_id", "cross_border", *SUMS
    )
    cooperatives = CooperativeRollup.objects.values_list(
        "span",
        "day",
        "cooperative_id",
        "province_id",
        "category_id",
        "cross_border",
        "sold",
        "seen",
    )
    return (
        {tuple(row[:5]): tuple(row[5:]) for row in market},
        {tuple(row[:6]): tuple(row[6:]) for row in cooperatives},
    )


def _agree():
    built, expected = _built(), _expected()
    assert built[0] == expected[0]  # each row once: the keys are unique
    assert built[1] == expected[1]


def test_the_market_and_the_cooperatives_rollups_agree_with_the_sales_after_a_rebuild(months):
    assert MarketRollup.objects.filter(span="month").exists()
    assert CooperativeRollup.objects.filter(span="year").exists()
    _agree()
    # Delta's refund month: a row without orders, so seen and not sold on the 8th.
    delta = CooperativeRollup.objects.get(
        span="month", day=months["m1"], cooperative__legal_name="Koperasi Delta"
    )
    assert (delta.sold, delta.seen) == (0, _bit(8))
    rollups_rebuild(first=months["m2"])  # again: the same rows
    _agree()


def test_they_still_agree_after_the_refresh_of_today(months):
    _order_on(UserFactory(), months["jars"]["beta"], months["today"], quantity=4)
    rollups_refresh()
    _agree()
    month = MarketRollup.objects.get(
        span="month", day=months["today"].replace(day=1), province=months["bali"]
    )
    assert (month.orders, month.gross) == (1, Decimal("40000"))


def _active(filters: Filters) -> tuple[int, int]:
    figure = next(f for f in headline(filters)["figures"] if f.label == "Active cooperatives")
    return figure.value, figure.previous


def _from_sales(start: date, end: date, *, sold: bool) -> int:
    rows = SalesRollup.objects.filter(day__gte=start, day__lte=end)
    if sold:
        rows = rows.filter(orders__gt=0)
    return rows.values("cooperative").distinct().count()


def test_active_cooperatives_of_a_period_that_starts_in_the_middle_of_a_month(months):
    m2, today = months["m2"], months["today"]
    # From M-2's 15th: Beta (the 20th, an edge day), Gamma (M-1, a whole month) and the
    # cooperative abroad (today); not Alpha (the 10th), nor Delta (a refund only).
    # The period before ends on M-2's 14th, and holds Alpha's and Delta's orders.
    mid_month = Filters(start=m2 + timedelta(days=14), end=today)
    assert _active(mid_month) == (3, 2)
    assert _active(Filters(start=m2 + timedelta(days=14), end=today, origin="local")) == (2, 2)
    # Within one month: the 15th to the 25th holds Beta; the 4th to the 14th Alpha.
    assert _active(Filters(start=m2 + timedelta(days=14), end=m2 + timedelta(days=24))) == (1, 1)
    # The province table counts every cooperative with a row: Delta's refund too.
    table = sales_by_province(mid_month)
    cooperatives = {row[0]: (row[1], row[3]) for row in table.rows}
    assert cooperatives == {
        "Bali": (Decimal("20000"), 1),
        "Jawa Barat": (Decimal("30000"), 2),
        "Abroad or unknown": (Decimal("10000"), 1),
    }
    # Jawa Barat's drill-down: Garut, of Gamma's sales and Delta's refund.
    communes, cooperatives = communes_and_cooperatives(
        Filters(start=mid_month.start, end=today, province_id=months["java"].pk)
    )
    assert communes.rows == [["Garut", Decimal("30000"), 1, 2]]
    assert cooperatives.rows == [
        ["Koperasi Gamma", "Garut", Decimal("30000"), 1],
        ["Koperasi Delta", "Garut", Decimal("0"), 0],
    ]
    # Whatever day a period starts or ends on, the counts are the sales rollup's.
    for first in (0, 2, 9, 14, 19, 27):
        for last in (today, months["m1"] + timedelta(days=6), months["m1"] - timedelta(days=1)):
            start = m2 + timedelta(days=first)
            if last < start:
                continue
            filters = Filters(start=start, end=last)
            before = filters.previous()
            assert _active(filters) == (
                _from_sales(start, last, sold=True),
                _from_sales(before.start, before.end, sold=True),
            ), (start, last)
            counted = sum(row[3] for row in sales_by_province(filters).rows)
            assert counted == _from_sales(start, last, sold=False), (start, last)
