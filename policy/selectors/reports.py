"""A month's report: its figures read from the rollups (sales, cooperatives, blocks) and
from the regulator's own records (appeals, recalls, certificates, tax), as sections of
plain rows that a stored report keeps and every download renders.

Headings and labels are stored in English and translated when shown (each is a message
of the catalog); names (provinces, categories, cooperatives) are stored as they were.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.selectors import provinces_by_id
from marketplace.db import reports_database
from policy.models import Appeal, Certificate, Recall, Report, SalesRollup
from policy.selectors import dashboard
from policy.selectors.dashboard import ZERO, Filters, Kind
from policy.selectors.taxes import period_bounds
from sellers.selectors import cooperative_names

REPORT_LANGUAGE = "en"


def month_bounds(period: date) -> tuple[date, date]:
    first = period.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class Section:
    name: str
    title: str
    columns: list[str]
    rows: list[list]
    money_columns: tuple[int, ...] = ()
    translated_columns: tuple[int, ...] = ()  # cells that are messages of the catalog

    def as_stored(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "columns": self.columns,
            "rows": [[_plain(cell) for cell in row] for row in self.rows],
            "money_columns": list(self.money_columns),
            "translated_columns": list(self.translated_columns),
        }


def _plain(cell):
    if isinstance(cell, Decimal):
        return str(cell)
    if isinstance(cell, (date, datetime)):
        return cell.isoformat()
    return cell


def _from_table(table) -> Section:
    return Section(table.name, table.title, table.columns, table.rows, table.money_columns)


def _cooperative_sums(first: date, last: date) -> list[tuple]:
    """Per cooperative, the month's sums (one GROUP BY of the sales rollup), most sales
    first: the summary's totals and the section by cooperative are both made of them."""
    return sorted(
        SalesRollup.objects.using(reports_database())
        .filter(day__gte=first, day__lte=last)
        .values_list("cooperative_id", "province_id", "commune", "cross_border")
        .annotate(
            Sum("gross"),
            Sum("orders"),
            Sum("refunds"),
            Sum("units"),
            Sum("vat"),
            Sum("withholding"),
        )
        .order_by(),
        key=lambda r: (-(r[4] or 0), r[0]),
    )


def _summary(filters: Filters, first: date, last: date, per_cooperative: list[tuple]) -> Section:
    _first, start, end = period_bounds(first)
    database = reports_database()
    sums: dict[str, Any] = {
        "sales": ZERO,
        "abroad": ZERO,
        "parts": 0,
        "sold": 0,
        "refunded": ZERO,
        "vat_charged": ZERO,
        "withheld": ZERO,
        "active": 0,
        "active_abroad": 0,
    }
    for (
        _id,
        _province,
        _commune,
        abroad,
        gross,
        orders,
        refunds,
        units,
        vat,
        withheld,
    ) in per_cooperative:
        sums["sales"] += gross or ZERO
        sums["abroad"] += (gross or ZERO) if abroad else ZERO
        sums["parts"] += orders or 0
        sums["sold"] += units or 0
        sums["refunded"] += refunds or ZERO
        sums["vat_charged"] += vat or ZERO
        sums["withheld"] += withheld or ZERO
        if orders:
            sums["active"] += 1
            sums["active_abroad"] += 1 if abroad else 0
    counts = dict.fromkeys(Kind.values, 0)
    counts.update(
        dashboard._activity(filters, categories=False)
        .values_list("kind")
        .annotate(Sum("count"))
        .order_by()
    )
    certificates = Certificate.objects.using(database).aggregate(
        issued=Count("id", filter=Q(issued_on__gte=first, issued_on__lte=last)),
        expired=Count(
            "id",
            filter=Q(expires_on__gte=first, expires_on__lte=last)
            & ~Q(status=Certificate.Status.REVOKED),
        ),
        revoked=Count("id", filter=Q(revoked_at__gte=start, revoked_at__lt=end)),
    )
    taxes = dashboard.tax_figures(filters)
    share = (
        str((sums["abroad"] * 100 / sums["sales"]).quantize(Decimal("0.1")))
        if sums["sales"]
        else None
    )
    assessed = taxes["assessed"] if taxes["available"] else None
    remitted = taxes["remitted"] if taxes["available"] else None
    rows = [
        [gettext_noop("Sales"), None, sums["sales"]],
        [gettext_noop("Orders"), sums["parts"], None],
        [gettext_noop("Units sold"), sums["sold"], None],
        [gettext_noop("Refunds"), None, sums["refunded"]],
        [gettext_noop("VAT charged"), None, sums["vat_charged"]],
        [gettext_noop("Withholding"), None, sums["withheld"]],
        [gettext_noop("Cross-border share of sales (%)"), share, None],
        [gettext_noop("Active cooperatives"), sums["active"], None],
        [gettext_noop("Active cross-border cooperatives"), sums["active_abroad"], None],
        [gettext_noop("Cooperatives registered"), counts[Kind.ONBOARDED], None],
        [gettext_noop("Cooperatives verified"), counts[Kind.VERIFIED], None],
        [gettext_noop("Cooperatives suspended"), counts[Kind.SUSPENDED], None],
        [gettext_noop("Listings blocked"), counts[Kind.BLOCKED], None],
        [gettext_noop("Products recalled"), counts[Kind.RECALLED], None],
        [gettext_noop("Certificates issued"), certificates["issued"], None],
        [gettext_noop("Certificates expired"), certificates["expired"], None],
        [gettext_noop("Certificates revoked"), certificates["revoked"], None],
        [gettext_noop("Tax assessed"), None, assessed],
        [gettext_noop("Tax remitted"), None, remitted],
    ]
    return Section(
        "summary",
        gettext_noop("Summary"),
        [gettext_noop("Figure"), gettext_noop("Number"), gettext_noop("Amount")],
        rows,
        money_columns=(2,),
        translated_columns=(0,),
    )


def _cooperatives(per_cooperative: list[tuple]) -> Section:
    provinces = provinces_by_id()
    names = cooperative_names(ids={r[0] for r in per_cooperative})
    rows = []
    for (
        cooperative_id,
        province_id,
        commune,
        abroad,
        sales,
        parts,
        refunded,
        *_rest,
    ) in per_cooperative:
        province = provinces.get(province_id)
        rows.append(
            [
                names.get(cooperative_id, ""),
                province.name if province else "",
                commune,
                gettext_noop("Abroad") if abroad else gettext_noop("Local"),
                sales,
                parts,
                refunded,
            ]
        )
    return Section(
        "cooperatives",
        gettext_noop("Sales by cooperative"),
        [
            gettext_noop("Cooperative"),
            gettext_noop("Province"),
            gettext_noop("Commune"),
            gettext_noop("Registered"),
            gettext_noop("Sales"),
            gettext_noop("Orders"),
            gettext_noop("Refunds"),
        ],
        rows,
        money_columns=(4, 6),
        translated_columns=(3,),
    )


def _appeals(first: date, last: date) -> Section:
    _first, start, end = period_bounds(first)
    filed = dict(
        Appeal.objects.using(reports_database())
        .filter(filed_at__gte=start, filed_at__lt=end)
        .values_list("status")
        .annotate(Count("id"))
        .order_by()
    )
    decided = dict(
        Appeal.objects.using(reports_database())
        .filter(decided_at__gte=start, decided_at__lt=end)
        .values_list("status")
        .annotate(Count("id"))
        .order_by()
    )
    rows = [
        [str(label), filed.get(value, 0), decided.get(value, 0)]
        for value, label in Appeal.Status.choices
    ]
    return Section(
        "appeals",
        gettext_noop("Appeals and their outcomes"),
        [
            gettext_noop("Outcome"),
            gettext_noop("Filed in the month"),
            gettext_noop("Decided in the month"),
        ],
        rows,
        translated_columns=(0,),
    )


def _recalls(first: date, last: date) -> Section:
    _first, start, end = period_bounds(first)
    rows = [
        [
            recall.number,
            recall.cooperative.legal_name,
            recall.product.title if recall.product else "",
            str(recall.get_risk_display()),
            recall.product_count,
            str(recall.get_status_display()),
            timezone.localtime(recall.opened_at).date(),
        ]
        for recall in Recall.objects.using(reports_database())
        .filter(
            Q(opened_at__gte=start, opened_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
        )
        .select_related("cooperative", "product")
        .order_by("opened_at", "id")
    ]
    return Section(
        "recalls",
        gettext_noop("Recalls opened or closed in the month"),
        [
            gettext_noop("Recall"),
            gettext_noop("Cooperative"),
            gettext_noop("Product"),
            gettext_noop("Risk level"),
            gettext_noop("Products"),
            gettext_noop("Status"),
            gettext_noop("Recalled on"),
        ],
        rows,
        translated_columns=(3, 5),
    )


def report_sections(period: date) -> list[Section]:
    """The month's report, in English (translated when shown)."""
    first, last = month_bounds(period)
    filters = Filters(start=first, end=last)
    per_cooperative = _cooperative_sums(first, last)
    with translation.override(REPORT_LANGUAGE):
        return [
            _summary(filters, first, last, per_cooperative),
            _from_table(dashboard.sales_by_province(filters)),
            _from_table(dashboard.sales_by_category(filters)),
            _cooperatives(per_cooperative),
            _from_table(dashboard.blocks_by_rule(filters)),
            _appeals(first, last),
            _recalls(first, last),
        ]


def report_by_period(period: date) -> Report | None:
    return Report.objects.filter(period=period.replace(day=1)).first()


def reports_list():
    return Report.objects.select_related("requested_by").order_by("-period")


def shown(report) -> list[dict]:
    """A stored report's sections as they are shown and downloaded: headings and labels
    in the reader's language, money as Decimal."""
    sections = []
    for stored in report.figures.get("sections", []):
        money = set(stored.get("money_columns", []))
        translated = set(stored.get("translated_columns", []))
        rows = [
            [
                Decimal(cell)
                if n in money and cell is not None
                else (_(cell) if n in translated and cell else cell)
                for n, cell in enumerate(row)
            ]
            for row in stored["rows"]
        ]
        sections.append(
            {
                "name": stored["name"],
                "title": _(stored["title"]),
                "columns": [_(c) for c in stored["columns"]],
                "rows": rows,
                "money_columns": money,
                "entries": [[(n in money, cell) for n, cell in enumerate(row)] for row in rows],
            }
        )
    return sections
