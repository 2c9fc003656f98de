"""What the monitoring dashboard shows, read from the rollups only (never from raw order
lines): headline figures against the previous period, the series the charts draw, and
the drill-down tables. Every reader takes the same ``Filters``.

The market-wide figures read the market's rollup (``MarketRollup``: the months a period
covers whole from their month rows, the days around them from day rows) and count
distinct cooperatives from ``CooperativeRollup`` (a row per cooperative and year, plus
one per edge month); a province's drill-down and a cooperative's sales read the sales
rollup itself (``SalesRollup``), already narrowed to a province or a cooperative.

Reads go to the ``reports`` database: the read replica when one is configured
(``DATABASE_REPLICA_URL``), else the main database.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, reduce

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import categories_by_id, provinces_by_id
from marketplace.db import reports_database
from policy.models import (
    ActivityRollup,
    Certificate,
    CooperativeRollup,
    ListingDecision,
    MarketRollup,
    Recall,
    RollupDay,
    SalesRollup,
    Sanction,
    TaxAssessment,
    TaxPeriod,
)
from sellers.selectors import registered_abroad

ZERO = Decimal("0")
Kind = ActivityRollup.Kind
# The headline's rows of counts beside the events' kinds: the active cooperatives, the
# recalls open now.
ACTIVE, OPEN_RECALLS = "active", "open recalls"
HEADLINE_SUMS = ("gross", "orders", "refunds", "vat", "withholding")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    province_id: int | None = None
    category: object | None = None  # a catalog Category: it and everything under it
    origin: str = ""  # "", "local" or "abroad"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before."""
        end = self.start - timedelta(days=1)
        return Filters(
            start=end - timedelta(days=self.days - 1),
            end=end,
            province_id=self.province_id,
            category=self.category,
            origin=self.origin,
        )

    @property
    def bucket(self) -> str:
        """How the time series is cut: days up to two months, weeks up to six, else months."""
        if self.days <= 62:
            return "day"
        if self.days <= 190:
            return "week"
        return "month"

    @cached_property  # every reader scopes its rows with it: the categories read once
    def category_ids(self) -> list[int] | None:
        if self.category is None:
            return None
        path = self.category.path  # type: ignore[attr-defined]
        return [pk for pk, c in categories_by_id().items() if c.path.startswith(path)]


def _sales(filters: Filters) -> QuerySet:
    rows = SalesRollup.objects.using(reports_database()).filter(
        day__gte=filters.start, day__lte=filters.end
    )
    return _scoped(rows, filters)


def _next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=31)).replace(day=1)


def _months_and_edges(start: date, end: date) -> tuple[list[date], list[tuple[date, date]]]:
    """The months the days from ``start`` to ``end`` cover whole (their first days), and
    the days they take of the others, as (first, last) in one month each (two at most)."""
    months, edges = [], []
    month = start.replace(day=1)
    while month <= end:
        following = _next_month(month)
        first, last = max(month, start), min(following - timedelta(days=1), end)
        if first == month and last == following - timedelta(days=1):
            months.append(month)
        else:
            edges.append((first, last))
        month = following
    return months, edges


def _market_rows(start: date, end: date) -> Q:
    """The ``MarketRollup`` rows of the days from ``start`` to ``end``, each day once."""
    Span = MarketRollup.Span
    months, edges = _months_and_edges(start, end)
    rows = [Q(span=Span.DAY, day__gte=first, day__lte=last) for first, last in edges]
    if months:
        rows.append(Q(span=Span.MONTH, day__gte=months[0], day__lte=months[-1]))
    return reduce(operator.or_, rows)


def _market(filters: Filters, *, days: bool = False) -> QuerySet:
    """The market's rows of the period: with ``days``, only day rows (a series by day or
    week), else month rows for its whole months."""
    rows = MarketRollup.objects.using(reports_database())
    if days:
        rows = rows.filter(span=MarketRollup.Span.DAY, day__gte=filters.start, day__lte=filters.end)
    else:
        rows = rows.filter(_market_rows(filters.start, filters.end))
    return _scoped(rows, filters)


def _cooperative_bits(start: date, end: date) -> tuple[Q, Case]:
    """The ``CooperativeRollup`` rows that say which cooperatives had sales from ``start``
    to ``end`` (the years of its whole months, its edge months), and per row the bits of
    the days or months that fall in the period."""
    Span = CooperativeRollup.Span
    months, edges = _months_and_edges(start, end)
    years: dict[date, int] = {}
    for month in months:
        year = month.replace(month=1)
        years[year] = years.get(year, 0) | 1 << (month.month - 1)
    bits = {(Span.YEAR, year): mask for year, mask in years.items()}
    for first, last in edges:
        bits[(Span.MONTH, first.replace(day=1))] = (1 << last.day) - (1 << (first.day - 1))
    rows = [Q(span=span, day=day) for span, day in bits]
    whens = [When(row, then=Value(mask)) for row, mask in zip(rows, bits.values(), strict=True)]
    return reduce(operator.or_, rows), Case(*whens, default=Value(0), output_field=IntegerField())


def _cooperatives(filters: Filters, *periods: Filters, mark: str) -> QuerySet:
    """The cooperatives' rows of the ``periods`` (each one's row filter OR-ed), with, per
    period ``n``, ``in_<n>``: the row's ``mark`` bits (``sold`` or ``seen``) inside it."""
    rows, marks = [], {}
    for n, period in enumerate(periods):
        covering, bits = _cooperative_bits(period.start, period.end)
        rows.append(covering)
        marks[f"in_{n}"] = CombinedExpression(F(mark), Combinable.BITAND, bits)
    cooperatives = CooperativeRollup.objects.using(reports_database()).filter(
        reduce(operator.or_, rows)
    )
    return _scoped(cooperatives, filters).alias(**marks)


def _activity(filters: Filters, *, start: date | None = None, categories: bool = True) -> QuerySet:
    rows = ActivityRollup.objects.using(reports_database()).filter(
        day__gte=start or filters.start, day__lte=filters.end
    )
    return _scoped(rows, filters, categories=categories)


def _scoped(rows: QuerySet, filters: Filters, *, categories: bool = True) -> QuerySet:
    if filters.province_id:
        rows = rows.filter(province_id=filters.province_id)
    if filters.origin:
        rows = rows.filter(cross_border=filters.origin == "abroad")
    ids = filters.category_ids
    if ids is not None and categories:
        # Events about cooperatives have no category: a category filter keeps them.
        rows = rows.filter(Q(category_id__in=ids) | Q(category_id=None))
    return rows


def _change(now, before):
    """The change against the previous period, as a fraction (None from nothing)."""
    if not before:
        return None
    return (Decimal(now) - Decimal(before)) / Decimal(before)


@dataclass
class Figure:
    label: str
    value: object
    previous: object = None
    money: bool = False
    share: bool = False
    note: str = ""
    available: bool = True  # False: figures that do not exist yet (no tax collected)

    @property
    def change(self):
        if self.previous is None or self.share:
            return None
        return _change(self.value or 0, self.previous)

    @property
    def change_text(self) -> str:
        """The change as "+12.5 %" or "-4.0 %" (a true minus sign); empty without one."""
        change = self.change
        if change is None:
            return ""
        sign = "+" if change > 0 else ("\u2212" if change < 0 else "\u00b1")
        return f"{sign}{number_format(abs(change) * 100, 1)} %"

    @property
    def share_text(self) -> str:
        if self.value is None:
            return "\u2013"
        return f"{number_format(Decimal(str(self.value)) * 100, 1)} %"


def headline(filters: Filters) -> dict:
    """The period's headline figures with the previous period's (three queries)."""
    before = filters.previous()
    now_q = _market_rows(filters.start, filters.end)
    # This period's sums and the one's before, and their sales from abroad.
    sums: list[dict[str, Decimal | int]] = [
        {name: 0 if name == "orders" else ZERO for name in (*HEADLINE_SUMS, "abroad")}
        for _period in range(2)
    ]
    for r in (
        _scoped(
            MarketRollup.objects.using(reports_database()).filter(
                now_q | _market_rows(before.start, before.end)
            ),
            filters,
        )
        .annotate(period=Case(When(now_q, then=Value(0)), default=Value(1)))
        .values("period", "cross_border")  # four rows at most
        .annotate(*(Sum(name) for name in HEADLINE_SUMS))
    ):
        period = sums[r["period"]]
        for name in HEADLINE_SUMS:
            period[name] += r[f"{name}__sum"]
        if r["cross_border"]:
            period["abroad"] += r["gross__sum"]
    sums_now, sums_before = sums
    now_a, then_a = Q(day__gte=filters.start), Q(day__lte=before.end)
    events = (
        _activity(filters, start=before.start)
        .values_list("kind")
        .annotate(
            now=Sum("count", filter=now_a, default=0), then=Sum("count", filter=then_a, default=0)
        )
    )
    # The active cooperatives (with orders) of both periods, as one more row of counts.
    active = (
        _cooperatives(filters, filters, before, mark="sold")
        .annotate(kind=Value(ACTIVE))
        .values_list("kind")
        .annotate(
            now=Count("cooperative", distinct=True, filter=Q(in_0__gt=0)),
            then=Count("cooperative", distinct=True, filter=Q(in_1__gt=0)),
        )
    )
    # And the recalls open now, as one more (without a count before).
    recalls = (
        Recall.objects.using(reports_database())
        .filter(status=Recall.Status.OPEN)
        .order_by()
        .annotate(kind=Value(OPEN_RECALLS))
        .values_list("kind")
        .annotate(now=Count("pk"), then=Value(0))
    )
    counts: dict[str, list[int]] = {kind: [0, 0] for kind in [*Kind.values, ACTIVE, OPEN_RECALLS]}
    for kind, now, then in events.union(active, recalls, all=True):
        counts[kind] = [now, then]
    taxes = tax_figures(filters)
    return {
        "figures": [
            Figure(_("Sales"), sums_now["gross"], sums_before["gross"], money=True),
            Figure(_("Orders"), sums_now["orders"], sums_before["orders"]),
            Figure(_("Active cooperatives"), counts[ACTIVE][0], counts[ACTIVE][1]),
            Figure(
                _("Cooperatives registered"), counts[Kind.ONBOARDED][0], counts[Kind.ONBOARDED][1]
            ),
            Figure(_("Cooperatives verified"), counts[Kind.VERIFIED][0], counts[Kind.VERIFIED][1]),
            Figure(
                _("Cross-border share of sales"),
                sums_now["abroad"] / sums_now["gross"] if sums_now["gross"] else None,
                share=True,
            ),
            Figure(_("Listings blocked"), counts[Kind.BLOCKED][0], counts[Kind.BLOCKED][1]),
            Figure(_("Products recalled"), counts[Kind.RECALLED][0], counts[Kind.RECALLED][1]),
            Figure(_("Open recalls"), counts[OPEN_RECALLS][0], note=_("now")),
            Figure(_("Tax assessed"), taxes["assessed"], money=True, available=taxes["available"]),
            Figure(_("Tax remitted"), taxes["remitted"], money=True, available=taxes["available"]),
        ],
        "refunds": sums_now["refunds"],
        "vat": sums_now["vat"],
        "withholding": sums_now["withholding"],
        "taxes_available": taxes["available"],
    }


def tax_figures(filters: Filters) -> dict:
    """Tax assessed and remitted in the months the period covers (the tax collection's
    assessments; a category filter does not apply to them)."""
    first = filters.start.replace(day=1)
    rows = TaxAssessment.objects.using(reports_database()).filter(
        period__gte=first, period__lte=filters.end
    )
    if filters.province_id:
        rows = rows.filter(cooperative__province_id=filters.province_id)
    if filters.origin:
        rows = rows.alias(abroad=registered_abroad("cooperative")).filter(
            abroad=filters.origin == "abroad"
        )
    remitted = TaxPeriod.objects.filter(status=TaxPeriod.Status.REMITTED).values("period")
    sums = rows.aggregate(
        assessed=Sum("tax", default=ZERO),
        remitted=Sum("tax", filter=Q(period__in=remitted), default=ZERO),
        n=Count("id"),
    )
    return {"assessed": sums["assessed"], "remitted": sums["remitted"], "available": sums["n"] > 0}


@dataclass
class Table:
    """A table of figures (and the chart drawn from it)."""

    name: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    money_columns: tuple[int, ...] = ()
    links: list = field(default_factory=list)  # per row, where it leads (or None)

    def entries(self) -> list[tuple]:
        """(link, first cell, [(is money, cell), …]) per row, for the page."""
        links = self.links or [None] * len(self.rows)
        return [
            (link, row[0], [(n in self.money_columns, cell) for n, cell in enumerate(row) if n])
            for link, row in zip(links, self.rows, strict=True)
        ]


def _bucketed(rows: QuerySet, filters: Filters) -> QuerySet:
    if filters.bucket == "week":
        return rows.annotate(bucket=TruncWeek("day")).values("bucket")
    if filters.bucket == "month":
        return rows.annotate(bucket=TruncMonth("day")).values("bucket")
    return rows.annotate(bucket=F("day")).values("bucket")


def _bucket_label(day, bucket: str) -> str:
    if bucket == "month":
        return date_format(day, "M Y")
    return date_format(day, "SHORT_DATE_FORMAT")


def sales_over_time(filters: Filters) -> Table:
    rows = (
        _bucketed(_market(filters, days=filters.bucket != "month"), filters)
        .annotate(sales=Sum("gross"), parts=Sum("orders"))
        .order_by("bucket")
    )
    return Table(
        "time",
        _("Sales over time"),
        [_("Period"), _("Sales"), _("Orders")],
        [[_bucket_label(r["bucket"], filters.bucket), r["sales"], r["parts"]] for r in rows],
        money_columns=(1,),
    )


def sales_by_province(filters: Filters) -> Table:
    """Sales, orders and cooperatives by province (one query: the market's sums and the
    cooperatives' counts, each by province, one after the other)."""
    provinces = provinces_by_id()
    sums = (
        _market(filters)
        .values("province_id")
        .annotate(sales=Sum("gross"), parts=Sum("orders"), cooperatives=Value(0))
    )
    cooperatives = (
        _cooperatives(filters, filters, mark="seen")
        .values("province_id")
        .annotate(
            sales=Value(ZERO),
            parts=Value(0),
            cooperatives=Count("cooperative", distinct=True, filter=Q(in_0__gt=0)),
        )
    )
    totals: dict[int | None, list] = {}
    for r in sums.union(cooperatives, all=True):
        entry = totals.setdefault(r["province_id"], [ZERO, 0, 0])
        entry[0] += r["sales"] or ZERO
        entry[1] += r["parts"] or 0
        entry[2] += r["cooperatives"] or 0
    table = Table(
        "province",
        _("Sales by province"),
        [_("Province"), _("Sales"), _("Orders"), _("Cooperatives")],
        money_columns=(1,),
    )
    for province_id, (sales, parts, count) in sorted(
        totals.items(), key=lambda item: item[1][0], reverse=True
    ):
        province = provinces.get(province_id) if province_id else None
        table.rows.append(
            [province.name if province else _("Abroad or unknown"), sales, parts, count]
        )
        table.links.append(str(province.pk) if province else None)
    return table


def sales_by_category(filters: Filters) -> Table:
    """By top category, or, filtered to a category, by its children."""
    categories = categories_by_id()
    depth = (filters.category.depth + 1) if filters.category is not None else 1  # type: ignore[attr-defined]
    by_path = {c.path: c for c in categories.values()}
    totals: dict[str, list] = {}
    for category_id, sales, orders in (
        _market(filters).values_list("category_id").annotate(Sum("gross"), Sum("orders"))
    ):
        category = categories.get(category_id)
        if category is None:
            name, key = _("Other"), ""
        else:
            path = category.path[: depth * category.steplen]
            group = by_path.get(path, category)
            name, key = group.name, path
        entry = totals.setdefault(key, [name, ZERO, 0])
        entry[1] += sales or ZERO
        entry[2] += orders or 0
    rows = sorted(totals.values(), key=lambda row: row[1], reverse=True)
    return Table(
        "category",
        _("Sales by category"),
        [_("Category"), _("Sales"), _("Orders")],
        rows,
        money_columns=(1,),
    )


def onboarding_over_time(filters: Filters) -> Table:
    series: dict = {}
    for r in (
        _bucketed(
            _activity(filters, categories=False).filter(kind__in=[Kind.ONBOARDED, Kind.VERIFIED]),
            filters,
        )
        .values("bucket", "kind")
        .annotate(n=Sum("count"))
        .order_by("bucket")
    ):
        entry = series.setdefault(r["bucket"], [0, 0])
        entry[0 if r["kind"] == Kind.ONBOARDED else 1] += r["n"]
    return Table(
        "onboarding",
        _("Cooperatives registered and verified"),
        [_("Period"), _("Registered"), _("Verified")],
        [[_bucket_label(day, filters.bucket), *counts] for day, counts in sorted(series.items())],
    )


def blocks_by_rule(filters: Filters) -> Table:
    rows = list(
        _activity(filters)
        .filter(kind=Kind.BLOCKED)
        .values_list("rule__title")
        .annotate(n=Sum("count"))
        .order_by("-n")
    )
    return Table(
        "blocks",
        _("Listings blocked, by rule"),
        [_("Rule"), _("Listings blocked")],
        [[title or _("No rule recorded"), n] for title, n in rows],
    )


def communes_and_cooperatives(filters: Filters) -> tuple[Table, Table]:
    """A province's drill-down: its communes, and its (first 200) cooperatives with their
    sales. One query, of the province's cooperatives: a commune's figures are those of its
    cooperatives summed (a cooperative is one row per commune it sold from)."""
    rows = sorted(
        _sales(filters)
        .values("cooperative_id", "cooperative__legal_name", "commune")
        .annotate(sales=Sum("gross"), parts=Sum("orders")),
        key=lambda r: r["sales"],
        reverse=True,
    )
    by_commune: dict[str, list] = {}
    for r in rows:
        entry = by_commune.setdefault(r["commune"], [ZERO, 0, 0])
        entry[0] += r["sales"]
        entry[1] += r["parts"]
        entry[2] += 1
    communes = Table(
        "communes",
        _("Communes"),
        [_("Commune"), _("Sales"), _("Orders"), _("Cooperatives")],
        [
            [commune or _("Not given"), *figures]
            for commune, figures in sorted(
                by_commune.items(), key=lambda item: item[1][0], reverse=True
            )
        ],
        money_columns=(1,),
    )
    cooperatives = Table(
        "cooperatives",
        _("Cooperatives"),
        [_("Cooperative"), _("Commune"), _("Sales"), _("Orders")],
        money_columns=(2,),
    )
    for r in rows[:200]:
        cooperatives.rows.append(
            [r["cooperative__legal_name"], r["commune"], r["sales"], r["parts"]]
        )
        cooperatives.links.append(str(r["cooperative_id"]))
    return communes, cooperatives


def cooperative_sales(*, cooperative_id: int, filters: Filters) -> Table:
    rows = (
        _bucketed(
            SalesRollup.objects.using(reports_database()).filter(
                cooperative_id=cooperative_id, day__gte=filters.start, day__lte=filters.end
            ),
            filters,
        )
        .annotate(sales=Sum("gross"), parts=Sum("orders"), refunded=Sum("refunds"))
        .order_by("bucket")
    )
    return Table(
        "cooperative",
        _("Sales over time"),
        [_("Period"), _("Sales"), _("Orders"), _("Refunds")],
        [
            [_bucket_label(r["bucket"], filters.bucket), r["sales"], r["parts"], r["refunded"]]
            for r in rows
        ],
        money_columns=(1, 3),
    )


def rollups_built_at():
    """When today's rollups were last built (None before the first build)."""
    record = RollupDay.objects.using(reports_database()).filter(day=timezone.localdate()).first()
    return record.built_at if record else None


TABLES = {
    "time": sales_over_time,
    "province": sales_by_province,
    "category": sales_by_category,
    "onboarding": onboarding_over_time,
    "blocks": blocks_by_rule,
}


def cooperative_record(*, cooperative_id: int) -> dict:
    """A cooperative's record for regulators, beside its sales: its listings by status,
    recent decisions, certificates, recalls, sanctions and tax assessments."""
    database = reports_database()
    return {
        "listings": {
            Product.Status(status).label: n
            for status, n in Product.objects.using(database)
            .filter(cooperative_id=cooperative_id)
            .order_by("status")
            .values_list("status")
            .annotate(Count("id"))
        },
        "decisions": list(
            ListingDecision.objects.using(database)
            .filter(product__cooperative_id=cooperative_id, outcome=ListingDecision.Outcome.BLOCKED)
            .select_related("product", "rule")
            .order_by("-created_at")[:20]
        ),
        "certificates": list(
            Certificate.objects.using(database)
            .filter(product__cooperative_id=cooperative_id)
            .select_related("product")
            .order_by("-issued_on")[:20]
        ),
        "recalls": list(
            Recall.objects.using(database)
            .filter(lines__product__cooperative_id=cooperative_id)
            .distinct()
            .order_by("-opened_at")[:20]
        ),
        "sanctions": list(
            Sanction.objects.using(database)
            .filter(cooperative_id=cooperative_id)
            .order_by("-issued_at")[:20]
        ),
        "assessments": list(
            TaxAssessment.objects.using(database)
            .filter(cooperative_id=cooperative_id, kind="vat")
            .order_by("-period")[:18]
        ),
    }
