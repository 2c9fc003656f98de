"""What the monitoring dashboard shows, read from the daily rollups only (never from raw
order lines): headline figures against the previous period, the series the charts
draw, and the drill-down tables. Every reader takes the same ``Filters``.

Reads go to the ``reports`` database: the read replica when one is configured
(``DATABASE_REPLICA_URL``), else the main database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
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
    ListingDecision,
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

    @property
    def category_ids(self) -> list[int] | None:
        if self.category is None:
            return None
        path = self.category.path  # type: ignore[attr-defined]
        return [pk for pk, c in categories_by_id().items() if c.path.startswith(path)]


def _sales(filters: Filters, *, start: date | None = None) -> QuerySet:
    rows = SalesRollup.objects.using(reports_database()).filter(
        day__gte=start or filters.start, day__lte=filters.end
    )
    return _scoped(rows, filters)


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
    """The period's headline figures with the previous period's (four queries)."""
    before = filters.previous()
    now_q, then_q = Q(day__gte=filters.start), Q(day__lte=before.end)
    sums = _sales(filters, start=before.start).aggregate(
        sales=Sum("gross", filter=now_q, default=ZERO),
        sales_before=Sum("gross", filter=then_q, default=ZERO),
        abroad=Sum("gross", filter=now_q & Q(cross_border=True), default=ZERO),
        abroad_before=Sum("gross", filter=then_q & Q(cross_border=True), default=ZERO),
        parts=Sum("orders", filter=now_q, default=0),
        parts_before=Sum("orders", filter=then_q, default=0),
        refunded=Sum("refunds", filter=now_q, default=ZERO),
        vat_charged=Sum("vat", filter=now_q, default=ZERO),
        withheld=Sum("withholding", filter=now_q, default=ZERO),
        active=Count("cooperative", distinct=True, filter=now_q & Q(orders__gt=0)),
        active_before=Count("cooperative", distinct=True, filter=then_q & Q(orders__gt=0)),
    )
    counts: dict[str, list[int]] = {kind: [0, 0] for kind in Kind.values}
    for kind, now, then in (
        _activity(filters, start=before.start)
        .values_list("kind")
        .annotate(
            now=Sum("count", filter=now_q, default=0), then=Sum("count", filter=then_q, default=0)
        )
    ):
        counts[kind] = [now, then]
    taxes = tax_figures(filters)
    return {
        "figures": [
            Figure(_("Sales"), sums["sales"], sums["sales_before"], money=True),
            Figure(_("Orders"), sums["parts"], sums["parts_before"]),
            Figure(_("Active cooperatives"), sums["active"], sums["active_before"]),
            Figure(
                _("Cooperatives registered"), counts[Kind.ONBOARDED][0], counts[Kind.ONBOARDED][1]
            ),
            Figure(_("Cooperatives verified"), counts[Kind.VERIFIED][0], counts[Kind.VERIFIED][1]),
            Figure(
                _("Cross-border share of sales"),
                sums["abroad"] / sums["sales"] if sums["sales"] else None,
                share=True,
            ),
            Figure(_("Listings blocked"), counts[Kind.BLOCKED][0], counts[Kind.BLOCKED][1]),
            Figure(_("Products recalled"), counts[Kind.RECALLED][0], counts[Kind.RECALLED][1]),
            Figure(_("Open recalls"), open_recalls(), note=_("now")),
            Figure(_("Tax assessed"), taxes["assessed"], money=True, available=taxes["available"]),
            Figure(_("Tax remitted"), taxes["remitted"], money=True, available=taxes["available"]),
        ],
        "refunds": sums["refunded"],
        "vat": sums["vat_charged"],
        "withholding": sums["withheld"],
        "taxes_available": taxes["available"],
    }


def open_recalls() -> int:
    return Recall.objects.using(reports_database()).filter(status=Recall.Status.OPEN).count()


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
        _bucketed(_sales(filters), filters)
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
    provinces = provinces_by_id()
    rows = (
        _sales(filters)
        .values("province_id")
        .annotate(
            sales=Sum("gross"),
            parts=Sum("orders"),
            cooperatives=Count("cooperative", distinct=True),
        )
        .order_by("-sales")
    )
    table = Table(
        "province",
        _("Sales by province"),
        [_("Province"), _("Sales"), _("Orders"), _("Cooperatives")],
        money_columns=(1,),
    )
    for r in rows:
        province = provinces.get(r["province_id"]) if r["province_id"] else None
        table.rows.append(
            [
                province.name if province else _("Abroad or unknown"),
                r["sales"],
                r["parts"],
                r["cooperatives"],
            ]
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
        _sales(filters).values_list("category_id").annotate(Sum("gross"), Sum("orders"))
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
    """A province's drill-down: its communes, and its cooperatives with their sales."""
    communes = Table(
        "communes",
        _("Communes"),
        [_("Commune"), _("Sales"), _("Orders"), _("Cooperatives")],
        [
            [r["commune"] or _("Not given"), r["sales"], r["parts"], r["cooperatives"]]
            for r in _sales(filters)
            .values("commune")
            .annotate(
                sales=Sum("gross"),
                parts=Sum("orders"),
                cooperatives=Count("cooperative", distinct=True),
            )
            .order_by("-sales")
        ],
        money_columns=(1,),
    )
    cooperatives = Table(
        "cooperatives",
        _("Cooperatives"),
        [_("Cooperative"), _("Commune"), _("Sales"), _("Orders")],
        money_columns=(2,),
    )
    for r in (
        _sales(filters)
        .values("cooperative_id", "cooperative__legal_name", "commune")
        .annotate(sales=Sum("gross"), parts=Sum("orders"))
        .order_by("-sales")[:200]
    ):
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
