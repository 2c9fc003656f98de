"""The monitoring dashboard's figures, as JSON: the headline figures and each of its
tables, for the same filters as the page (validated by the page's own form), read from
the same rollups by the same selectors. Money is a decimal string, exact.
"""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.utils.text import slugify
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from policy.forms.dashboard import DashboardFilterForm
from policy.selectors import dashboard
from policy.selectors.dashboard import Filters

router = Router(tags=["figures"])

Cell = str | int | None
TableName = Literal[tuple(dashboard.TABLES)]  # type: ignore[valid-type]


class FilterQuery(Schema):
    """The dashboard's filters, as its page takes them in its address."""

    period: str | None = Field(
        None,
        description="last_12_months (the default), this_month, last_month, last_24_months "
        "or custom (then start and end).",
    )
    start: str | None = Field(None, description="First day, YYYY-MM-DD (period=custom).")
    end: str | None = Field(None, description="Last day, YYYY-MM-DD (period=custom).")
    province: str | None = Field(None, description="A province's id (home country).")
    category: str | None = Field(
        None, description="A category's id (top or second level): it and everything under it."
    )
    origin: str | None = Field(
        None, description="local or abroad (sellers registered abroad); both when absent."
    )


class PeriodOut(Schema):
    start: date
    end: date


class FiltersOut(Schema):
    start: date
    end: date
    province: int | None
    category: int | None
    origin: str
    bucket: Literal["day", "week", "month"] = Field(
        description="How the time series are cut (days up to two months, weeks up to six)."
    )
    previous: PeriodOut = Field(description="The period the changes are measured against.")


class FigureOut(Schema):
    key: str
    label: str
    value: Cell = Field(description="Money and shares as decimal strings, counts as integers.")
    previous: Cell = Field(description="The same figure in the previous period.")
    change: str | None = Field(
        description="The change against the previous period, as a fraction (0.25: +25 %)."
    )
    money: bool
    share: bool = Field(description="A fraction of 1 (0.27: 27 %).")
    available: bool = Field(description="False while the figure does not exist yet.")
    note: str


class HeadlineOut(Schema):
    filters: FiltersOut
    currency: str
    figures: list[FigureOut]
    refunds: str
    vat: str
    withholding: str
    taxes_available: bool


class ColumnOut(Schema):
    key: str
    label: str
    money: bool


class TableOut(Schema):
    name: str
    title: str
    filters: FiltersOut
    currency: str
    columns: list[ColumnOut]
    rows: list[list[Cell]]
    ids: list[int | None] = Field(
        description="Per row, the id of the province it is about (the province table; "
        "empty for the others)."
    )


def _filters(query: FilterQuery) -> Filters:
    """The filters asked for; a value the dashboard's form refuses is a 422 with the
    form's messages, never a silent default."""
    form = DashboardFilterForm({k: v for k, v in query.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise ValidationError(
            [
                {
                    "loc": ["query"] if field == "__all__" else ["query", field],
                    "msg": error["message"],
                    "type": error["code"] or "invalid",
                }
                for field, errors in form.errors.get_json_data().items()
                for error in errors
            ]
        )
    return form.filters()


def _filters_out(filters: Filters) -> dict:
    previous = filters.previous()
    return {
        "start": filters.start,
        "end": filters.end,
        "province": filters.province_id,
        "category": filters.category.pk if filters.category is not None else None,  # type: ignore[attr-defined]
        "origin": filters.origin,
        "bucket": filters.bucket,
        "previous": {"start": previous.start, "end": previous.end},
    }


def key_for(label: str) -> str:
    """A machine key made from an English label: "Cross-border share" -> cross_border_share."""
    return slugify(label).replace("-", "_")


def _cell(value) -> Cell:
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


@router.get(
    "/headline",
    response=HeadlineOut,
    url_name="figures_headline",
    operation_id="figures_headline",
    summary="The headline figures, against the previous period",
)
def headline(request, filters: Query[FilterQuery]):
    chosen = _filters(filters)
    figures = dashboard.headline(chosen)
    return {
        "filters": _filters_out(chosen),
        "currency": settings.MARKETPLACE_CURRENCY,
        "figures": [
            {
                "key": key_for(figure.label),
                "label": figure.label,
                "value": _cell(figure.value),
                "previous": _cell(figure.previous),
                "change": _cell(figure.change),
                "money": figure.money,
                "share": figure.share,
                "available": figure.available,
                "note": figure.note,
            }
            for figure in figures["figures"]
        ],
        "refunds": str(figures["refunds"]),
        "vat": str(figures["vat"]),
        "withholding": str(figures["withholding"]),
        "taxes_available": figures["taxes_available"],
    }


@router.get(
    "/{table}",
    response=TableOut,
    url_name="figures_table",
    operation_id="figures_table",
    summary="One of the dashboard's tables: its columns and rows",
)
def table(request, table: TableName, filters: Query[FilterQuery]):
    chosen = _filters(filters)
    result = dashboard.TABLES[table](chosen)
    return {
        "name": result.name,
        "title": result.title,
        "filters": _filters_out(chosen),
        "currency": settings.MARKETPLACE_CURRENCY,
        "columns": [
            {"key": key_for(label), "label": label, "money": n in result.money_columns}
            for n, label in enumerate(result.columns)
        ],
        "rows": [[_cell(cell) for cell in row] for row in result.rows],
        "ids": [int(link) if link else None for link in result.links],
    }
