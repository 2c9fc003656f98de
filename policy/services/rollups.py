"""Building the dashboard's daily rollups (``policy.models.rollups``).

A run rebuilds whole days: for each stretch of up to a month, in one transaction, it
deletes the days' rows and inserts them again from the sources, each one ``INSERT …
SELECT … GROUP BY`` (``marketplace.sql.insert_select``), whatever the number of lines.
So a rebuild is idempotent, a killed run leaves whole stretches behind it, and today's
figures are brought up to date by rebuilding today (every few minutes, by beat).

In the same transaction, the market's rows (``MarketRollup``) of the stretch's days and
of its month, and the cooperatives' rows (``CooperativeRollup``) of its month and year,
are built again from the ``SalesRollup`` rows just written: they always agree with them.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, TruncDate
from django.utils import timezone

from marketplace.sql import insert_select
from orders.selectors import daily_refunds, daily_sales
from policy.models import (
    ActivityRollup,
    Certificate,
    CooperativeRollup,
    ListingDecision,
    MarketRollup,
    RecallProduct,
    RollupDay,
    SalesRollup,
)
from sellers.selectors import daily_registrations, daily_status_moves, registered_abroad

log = logging.getLogger(__name__)

ROLLUP_LOCK = 7_270_001  # the rollup rebuild's PostgreSQL advisory lock

Kind = ActivityRollup.Kind
SALES_COLUMNS = {
    name: f"rollup_{name}"
    for name in ("day", "cooperative", "category", "province", "commune", "cross_border")
}
ACTIVITY_COLUMNS = {
    name: f"rollup_{name}" for name in ("day", "province", "category", "cross_border", "count")
}
MARKET_SUMS = ("orders", "lines", "units", "gross", "refunds", "vat", "withholding")
MARKET_COLUMNS = {
    name: f"rollup_{name}" for name in ("province", "category", "cross_border", *MARKET_SUMS)
}
COOPERATIVE_COLUMNS = {
    name: f"rollup_{name}"
    for name in ("cooperative", "category", "province", "cross_border", "sold", "seen")
}


def _instant(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _product_events(queryset: QuerySet, *, day, product: str, rule: str | None = None):
    """Per day, province, category and home or abroad (and rule), a count of events on
    products: ``product`` is the path to the product."""
    dimensions = {
        "rollup_day": day,
        "rollup_province": F(f"{product}__cooperative__province_id"),
        "rollup_category": F(f"{product}__category_id"),
        "rollup_cross_border": registered_abroad(f"{product}__cooperative"),
    }
    if rule:
        dimensions["rollup_rule"] = F(rule)
    return queryset.order_by().values(**dimensions).annotate(rollup_count=Count("id"))


def _market_dimensions(**extra) -> dict:
    return {
        "rollup_province": F("province_id"),
        "rollup_category": F("category_id"),
        "rollup_cross_border": F("cross_border"),
        **extra,
    }


def _market_sums() -> dict:
    return {f"rollup_{name}": Sum(name) for name in MARKET_SUMS}


def _bit(number) -> CombinedExpression:
    """The bit of a day of the month or a month of the year (``number`` from 1)."""
    return CombinedExpression(
        Value(1), Combinable.BITLEFTSHIFT, Cast(number, IntegerField()) - Value(1)
    )


def _bits(bit, *, sold: Q, distinct: bool) -> dict:
    """OR-ing each row's ``bit`` over the rows, as a sum: over the rows with orders
    (``sold``) and over all of them. ``distinct`` where rows may share a bit."""
    return {
        "rollup_sold": Sum(Case(When(sold, then=bit), default=Value(0)), distinct=distinct),
        "rollup_seen": Sum(bit, distinct=distinct),
    }


def market_rollups_build(*, first: date, last: date) -> None:
    """Build again, from the ``SalesRollup`` rows of the days from ``first`` to ``last``
    (in one month), the market's rows of those days, then of their month (from the
    month's day rows), and the cooperatives' rows of their month (from the month's sales
    rows), then of their year (from the year's month rows). Run in the transaction that
    wrote the sales rows."""
    assert (first.year, first.month) == (last.year, last.month), (first, last)
    month = first.replace(day=1)
    following = (month + timedelta(days=31)).replace(day=1)
    year = month.replace(month=1)
    Span, Spans = MarketRollup.Span, CooperativeRollup.Span
    MarketRollup.objects.filter(span=Span.DAY, day__gte=first, day__lte=last).delete()
    MarketRollup.objects.filter(span=Span.MONTH, day=month).delete()
    CooperativeRollup.objects.filter(span=Spans.MONTH, day=month).delete()
    CooperativeRollup.objects.filter(span=Spans.YEAR, day=year).delete()
    insert_select(
        MarketRollup,
        source=SalesRollup.objects.filter(day__gte=first, day__lte=last)
        .order_by()
        .values(**_market_dimensions(rollup_day=F("day")))
        .annotate(**_market_sums()),
        columns={"day": "rollup_day", **MARKET_COLUMNS},
        constants={"span": Span.DAY},
    )
    insert_select(
        MarketRollup,
        source=MarketRollup.objects.filter(span=Span.DAY, day__gte=month, day__lt=following)
        .order_by()
        .values(**_market_dimensions())
        .annotate(**_market_sums()),
        columns=MARKET_COLUMNS,
        constants={"span": Span.MONTH, "day": month},
    )
    insert_select(
        CooperativeRollup,
        source=SalesRollup.objects.filter(day__gte=month, day__lt=following)
        .order_by()
        .values(**_market_dimensions(rollup_cooperative=F("cooperative_id")))
        # A day's sales and refunds are two rows (the refunds' without orders).
        .annotate(**_bits(_bit(ExtractDay("day")), sold=Q(orders__gt=0), distinct=True)),
        columns=COOPERATIVE_COLUMNS,
        constants={"span": Spans.MONTH, "day": month},
    )
    insert_select(
        CooperativeRollup,
        source=CooperativeRollup.objects.filter(
            span=Spans.MONTH, day__gte=year, day__lt=year.replace(year=year.year + 1)
        )
        .order_by()
        .values(**_market_dimensions(rollup_cooperative=F("cooperative_id")))
        # One month row per cooperative, category, province and origin: no bit twice.
        .annotate(**_bits(_bit(ExtractMonth("day")), sold=Q(sold__gt=0), distinct=False)),
        columns=COOPERATIVE_COLUMNS,
        constants={"span": Spans.YEAR, "day": year},
    )


def _stretch(first: date, last: date) -> None:
    start, end = _instant(first), _instant(last + timedelta(days=1))
    SalesRollup.objects.filter(day__gte=first, day__lte=last).delete()
    ActivityRollup.objects.filter(day__gte=first, day__lte=last).delete()
    insert_select(
        SalesRollup,
        source=daily_sales(start=start, end=end),
        columns={
            **SALES_COLUMNS,
            **{
                name: f"rollup_{name}"
                for name in ("orders", "lines", "units", "gross", "vat", "withholding")
            },
        },
        constants={"refunds": 0},
    )
    insert_select(
        SalesRollup,
        source=daily_refunds(start=start, end=end),
        columns={**SALES_COLUMNS, "refunds": "rollup_refunds"},
        constants={
            "orders": 0,
            "lines": 0,
            "units": 0,
            "gross": 0,
            "vat": 0,
            "withholding": 0,
        },
    )
    cooperative_columns = {k: v for k, v in ACTIVITY_COLUMNS.items() if k != "category"}
    for kind, source in (
        (Kind.ONBOARDED, daily_registrations(start=start, end=end)),
        (Kind.VERIFIED, daily_status_moves(start=start, end=end, to_status="verified")),
        (Kind.SUSPENDED, daily_status_moves(start=start, end=end, to_status="suspended")),
    ):
        insert_select(
            ActivityRollup, source=source, columns=cooperative_columns, constants={"kind": kind}
        )
    blocked = ListingDecision.objects.filter(
        outcome=ListingDecision.Outcome.BLOCKED, created_at__gte=start, created_at__lt=end
    )
    recalled = RecallProduct.objects.filter(recall__opened_at__gte=start, recall__opened_at__lt=end)
    certified = Certificate.objects.filter(issued_on__gte=first, issued_on__lte=last)
    for kind, source in (
        (
            Kind.BLOCKED,
            _product_events(
                blocked, day=TruncDate("created_at"), product="product", rule="rule_id"
            ),
        ),
        (
            Kind.RECALLED,
            _product_events(recalled, day=TruncDate("recall__opened_at"), product="product"),
        ),
        (Kind.CERTIFIED, _product_events(certified, day=F("issued_on"), product="product")),
    ):
        columns = dict(ACTIVITY_COLUMNS)
        if kind == Kind.BLOCKED:
            columns["rule"] = "rollup_rule"
        insert_select(ActivityRollup, source=source, columns=columns, constants={"kind": kind})
    market_rollups_build(first=first, last=last)
    now = timezone.now()
    RollupDay.objects.bulk_create(
        [
            RollupDay(day=first + timedelta(days=n), built_at=now)
            for n in range((last - first).days + 1)
        ],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["built_at"],
    )


def rollups_rebuild(*, first: date, last: date | None = None) -> int:
    """Rebuild the rollups of the days from ``first`` to ``last`` (today by default), a
    month's stretch per transaction; returns how many days were built."""
    last = min(last or timezone.localdate(), timezone.localdate())
    day, built = first, 0
    while day <= last:
        stretch_end = min(
            last, (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The planner's cost estimate of a month's sums is high enough to have
                # them compiled (JIT) in every parallel worker, which costs more than
                # the sums themselves.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                    # One stretch at a time: of two runs at once (beat's refresh and
                    # a rebuild), each could delete a month's or a year's rows before
                    # the other inserts its own, and both stay. (SQLite has one
                    # writer at a time.)
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
            _stretch(day, stretch_end)
        built += (stretch_end - day).days + 1
        day = stretch_end + timedelta(days=1)
    log.info("rollups built for %s days from %s", built, first)
    return built


def rollups_refresh() -> int:
    """Today's rollups and yesterday's (an order placed just before midnight and a late
    return are counted on their day): what beat runs every few minutes."""
    today = timezone.localdate()
    return rollups_rebuild(first=today - timedelta(days=1), last=today)
