"""The regulator's monitoring dashboard: headline figures, charts (SVG images of their
own URLs) with their tables, a province's drill-down, a cooperative's record, and every
table as CSV or spreadsheet with the filters written in its first rows."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from catalog.selectors import provinces_by_id
from marketplace.exports import csv_response, xlsx_response
from marketplace.roles import Role, role_required
from policy.charts import chart_svg
from policy.forms.dashboard import ORIGINS, DashboardFilterForm
from policy.selectors import dashboard as figures
from policy.selectors.villages import latest_villages, thresholds
from sellers.selectors import cooperative_by_id

FILTER_FIELDS = ("period", "start", "end", "province", "category", "origin")


def _filters(request):
    form = DashboardFilterForm(request.GET or None)
    return form, form.filters()


def _query(request, **changes) -> str:
    """The filters of this page as a query string (only the filters' own fields)."""
    params = {k: request.GET[k] for k in FILTER_FIELDS if request.GET.get(k)}
    params.update({k: v for k, v in changes.items() if v is not None})
    return urlencode({k: v for k, v in params.items() if v != ""})


def _tables(filters, names=None) -> list:
    tables = [
        reader(filters) for name, reader in figures.TABLES.items() if not names or name in names
    ]
    if filters.province_id and (not names or {"communes", "cooperatives"} & set(names)):
        tables += [
            t for t in figures.communes_and_cooperatives(filters) if not names or t.name in names
        ]
    return tables


@role_required(Role.REGULATOR)
def dashboard(request):
    form, filters = _filters(request)
    query = _query(request)
    tables = _tables(filters)
    for table in tables:  # where a row leads: a province's drill-down, a cooperative
        if table.name == "province":
            table.links = [f"?{_query(request, province=pk)}" if pk else None for pk in table.links]
        elif table.name == "cooperatives":
            table.links = [
                reverse("policy:dashboard_cooperative", args=[pk]) + f"?{query}"
                for pk in table.links
            ]
    province = provinces_by_id().get(filters.province_id) if filters.province_id else None
    return render(
        request,
        "policy/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "query": query,
            "headline": figures.headline(filters),
            "charts": [t for t in tables if t.name in figures.TABLES],
            "drill": [t for t in tables if t.name not in figures.TABLES],
            "province": province,
            "built_at": figures.rollups_built_at(),
            "villages": latest_villages(province_id=filters.province_id),
            "limits": thresholds(),
            "currency": settings.MARKETPLACE_CURRENCY,
        },
    )


@role_required(Role.REGULATOR)
@csp_replace(
    {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        **dict.fromkeys(
            ("script-src", "img-src", "font-src", "connect-src", "base-uri", "form-action"), None
        ),
    }
)
def dashboard_chart(request, name: str):
    """One chart, as an SVG image (its styles inside it: its own policy allows them,
    scripts stay refused)."""
    _form, filters = _filters(request)
    if name == "cooperative":
        table = figures.cooperative_sales(cooperative_id=_cooperative_id(request), filters=filters)
    elif name in figures.TABLES:
        table = figures.TABLES[name](filters)
    else:
        raise Http404
    response = HttpResponse(
        chart_svg(table, money=settings.MARKETPLACE_CURRENCY), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def _cooperative_id(request) -> int:
    try:
        return int(request.GET.get("cooperative", ""))
    except ValueError:
        raise Http404 from None


def _filter_rows(filters) -> list[list]:
    """What the figures are of, for the first rows of a download."""
    province = provinces_by_id().get(filters.province_id) if filters.province_id else None
    category = filters.category
    return [
        [_("Lokapasar monitoring dashboard")],
        [_("Period"), filters.start.isoformat(), filters.end.isoformat()],
        [_("Province"), province.name if province else _("All provinces")],
        [_("Category"), category.name if category else _("All categories")],
        [_("Sellers"), str(dict(ORIGINS)[filters.origin])],
        [_("Currency"), settings.MARKETPLACE_CURRENCY],
        [_("Drawn up"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [],
    ]


@role_required(Role.REGULATOR)
def dashboard_export(request, name: str, fmt: str):
    _form, filters = _filters(request)
    tables = _tables(filters, names={name})
    if not tables or fmt not in {"csv", "xlsx"}:
        raise Http404
    table = tables[0]
    rows = [*_filter_rows(filters), table.columns, *table.rows]
    filename = f"lokapasar-{table.name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(filename=filename, rows=rows)
    return xlsx_response(filename=filename, sheet=table.title, rows=rows)


@role_required(Role.REGULATOR)
def dashboard_cooperative(request, pk: int):
    """One cooperative, for regulators: its sales in the period, listings, decisions,
    certificates, recalls, sanctions and tax."""
    cooperative = cooperative_by_id(pk=pk)
    form, filters = _filters(request)
    sales = figures.cooperative_sales(cooperative_id=cooperative.pk, filters=filters)
    return render(
        request,
        "policy/dashboard_cooperative.html",
        {
            "cooperative": cooperative,
            "form": form,
            "filters": filters,
            "sales": sales,
            "chart_url": reverse("policy:dashboard_chart", args=["cooperative"])
            + "?"
            + _query(request, cooperative=cooperative.pk),
            "record": figures.cooperative_record(cooperative_id=cooperative.pk),
            "back": reverse("policy:dashboard") + "?" + _query(request),
            "currency": settings.MARKETPLACE_CURRENCY,
        },
    )
