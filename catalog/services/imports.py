"""CSV import of many products at once, through exactly the same services as the form.

Each row is created or updated by ``product_create``/``product_update`` (and, when
asked, ``product_publish``), so every policy check applies. Rows are matched on the
seller's SKU, so re-running the same file changes nothing. Each row runs in its own
savepoint: a rejected row is reported with its reason and leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Category, Product
from catalog.services.products import (
    ListingBlocked,
    ProductError,
    product_create,
    product_publish,
    product_update,
)
from marketplace.models import User
from policy.models import ListingDecision
from policy.selectors.decisions import latest_decisions

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
REQUIRED_COLUMNS = ("sku", "title", "category", "price", "stock")
OPTIONAL_COLUMNS = (
    "unit",
    "description",
    "story",
    "certificate_number",
    "origin_commune",
    "publish",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"yes", "y", "true", "1", "oui", "ya", "có"}


class ImportRefused(Exception):
    """The file as a whole cannot be read; nothing was imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # line, sku, reason
    blocked: list[tuple[int, str, str]] = field(default_factory=list)
    # Saved, but the publication asked for could not happen (e.g. not yet verified).
    not_published: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.rejected)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")
        ) from None


def _read_rows(upload) -> tuple[list[str], list[dict]]:
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportRefused(
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if b"\x00" in raw:
        raise ImportRefused(_("This is not a CSV text file."))
    text = _decode(raw)
    # Only the delimiter is guessed; quoting follows spreadsheets' CSV ("" inside quotes),
    # which the sniffer would otherwise decide from the first few KB alone.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(text), dialect=csv.excel, delimiter=delimiter)
    columns = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportRefused(
            _("Missing columns: %(missing)s. The first line must name the columns: %(all)s.")
            % {"missing": ", ".join(missing), "all": ", ".join(REQUIRED_COLUMNS)}
        )
    reader.fieldnames = columns
    rows: list[dict] = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(
                    _("The file has more than %(n)d products; split it.") % {"n": MAX_ROWS}
                )
            rows.append(row)
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None
    return columns, rows


def _cell(row: dict, name: str) -> str:
    value = row.get(name)
    if isinstance(value, list):  # more cells than columns on this line
        raise ProductError(_("This line has more cells than there are columns."))
    return (value or "").strip()


def _row_fields(
    row: dict, categories: dict[str, Category], columns: set[str]
) -> tuple[dict[str, Any], bool]:
    """The row as product fields; optional columns absent from the file are left out,
    so that updating prices with a short file keeps descriptions and certificates."""
    if None in row:
        raise ProductError(_("This line has more cells than there are columns."))
    text = {name: _cell(row, name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    for name, value in text.items():
        if name not in {"price", "stock"} and value.startswith(FORMULA_PREFIXES):
            raise ProductError(
                _("The cell “%(column)s” starts like a spreadsheet formula (=, +, -, @).")
                % {"column": name}
            )
    if not text["sku"]:
        raise ProductError(_("The SKU is empty."))
    category = categories.get(text["category"].lower())
    if category is None:
        raise ProductError(
            _("Unknown category “%(slug)s”; use the category codes listed on the import page.")
            % {"slug": text["category"][:60]}
        )
    try:
        stock = int(text["stock"])
    except ValueError:
        raise ProductError(
            _("The stock “%(v)s” is not a whole number.") % {"v": text["stock"][:20]}
        ) from None
    unit = text["unit"] or Product.Unit.PIECE
    if unit not in Product.Unit.values:
        raise ProductError(
            _("Unknown unit “%(unit)s”; use one of %(units)s.")
            % {"unit": unit[:20], "units": ", ".join(Product.Unit.values)}
        )
    fields = {
        "sku": text["sku"][:64],
        "title": text["title"][:160],
        "category": category,
        "price": text["price"].replace(" ", ""),
        "stock": stock,
        "unit": unit,
        "description": text["description"],
        "story": text["story"],
        "certificate_number": text["certificate_number"][:64],
        "origin_commune": text["origin_commune"][:120],
    }
    fields = {
        name: value for name, value in fields.items() if name in REQUIRED_COLUMNS or name in columns
    }
    return fields, text["publish"].lower() in TRUE_WORDS


def products_import(*, cooperative, actor: User, upload) -> ImportReport:
    """Import the CSV ``upload`` for ``cooperative``; see the module docstring."""
    columns, rows = _read_rows(upload)
    present = set(columns)
    categories = {c.slug.lower(): c for c in Category.objects.all()}
    existing = {p.sku: p for p in Product.objects.filter(cooperative=cooperative)}
    report = ImportReport()
    for line, row in enumerate(rows, start=2):
        sku = (row.get("sku") or "").strip()[:64] if isinstance(row.get("sku"), str) else ""
        try:
            with transaction.atomic():
                fields, publish = _row_fields(row, categories, present)
                product = existing.get(fields["sku"])
                if product is None:
                    product = product_create(
                        cooperative=cooperative,
                        actor=actor,
                        trigger=ListingDecision.Trigger.IMPORT,
                        **fields,
                    )
                    existing[product.sku] = product
                    report.created.append(product.sku)
                else:
                    changes = {k: v for k, v in fields.items() if k != "sku"}
                    if _differs(product, changes):
                        product = product_update(
                            product=product,
                            actor=actor,
                            trigger=ListingDecision.Trigger.IMPORT,
                            **changes,
                        )
                        existing[product.sku] = product
                        report.updated.append(product.sku)
                    else:
                        report.unchanged.append(product.sku)
                if product.status == Product.Status.BLOCKED:
                    report.blocked.append((line, product.sku, _block_reasons(product)))
                elif publish and product.status != Product.Status.ACTIVE:
                    try:
                        product = product_publish(
                            product=product,
                            actor=actor,
                            trigger=ListingDecision.Trigger.IMPORT,
                        )
                        report.published.append(product.sku)
                    except ListingBlocked as exc:
                        report.blocked.append((line, product.sku, " ".join(exc.reasons)))
                    except ProductError as exc:
                        report.not_published.append((line, product.sku, exc.message))
        except ProductError as exc:
            report.rejected.append((line, sku, exc.message))
    return report


def _block_reasons(product: Product) -> str:
    decision = getattr(product, "policy_decision", None)
    if decision is not None:
        return " ".join(decision.reasons)
    # Unchanged row: the reasons of the listing's latest evaluation.

    return " ".join(d.reason for d in latest_decisions(product=product) if d.reason) or _(
        "Blocked by the listing policy."
    )


def _differs(product: Product, fields: dict) -> bool:
    from decimal import Decimal, InvalidOperation

    for name, value in fields.items():
        current = getattr(product, name)
        if name == "price":
            try:
                if Decimal(str(value)) != current:
                    return True
            except (InvalidOperation, ValueError):
                return True
        elif current != value:
            return True
    return False
