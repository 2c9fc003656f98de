"""What a cart costs: the one computation the review page and checkout completion share.

``quote_price`` turns products and quantities into a ``Quote`` (per line: unit price,
VAT, total; per cooperative's part: subtotal, VAT, total; and the grand total). The
review page shows a quote and carries it, signed, in the "Place the order" form; checkout
prices the cart again under the row locks and refuses to place the order when anything
differs (``quote_changes``), so no order is placed at a price the buyer never saw.

The quote is signed with the secret key and bound to the buyer: a tampered or borrowed
quote is refused (``QuoteInvalid``), never trusted. It is a record of what was shown, not
a price list: the prices charged always come from the products, under the locks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing

from catalog.models import Product
from marketplace.money import money_round
from orders.taxes import TaxRates

QUOTE_SALT = "orders.checkout.quote"
ZERO = Decimal("0")


class QuoteInvalid(Exception):
    """The signed quote was altered, belongs to someone else or cannot be read."""


@dataclass(frozen=True)
class LinePrice:
    product_id: int
    cooperative_id: int
    title: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal
    vat: Decimal
    withholding_rate: Decimal
    withholding: Decimal

    @property
    def net(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class PartPrice:
    """One cooperative's part of the order."""

    cooperative_id: int
    lines: tuple[LinePrice, ...]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((line.vat for line in self.lines), ZERO)

    @property
    def withholding(self) -> Decimal:
        return sum((line.withholding for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.vat


@dataclass(frozen=True)
class Quote:
    parts: tuple[PartPrice, ...]

    @property
    def lines(self) -> list[LinePrice]:
        return [line for part in self.parts for line in part.lines]

    @property
    def subtotal(self) -> Decimal:
        return sum((part.subtotal for part in self.parts), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((part.vat for part in self.parts), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((part.total for part in self.parts), ZERO)

    def summary(self) -> dict[str, Any]:
        """What the buyer was shown, as plain data: the figures a change would alter."""
        return {
            "lines": {
                str(line.product_id): {
                    "title": line.title,
                    "cooperative": line.cooperative_id,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                    "vat": str(line.vat),
                    "total": str(line.total),
                }
                for line in self.lines
            },
            "parts": {
                str(part.cooperative_id): {
                    "subtotal": str(part.subtotal),
                    "vat": str(part.vat),
                    "total": str(part.total),
                }
                for part in self.parts
            },
            "total": str(self.total),
        }


def quote_price(
    *, items: Iterable[tuple[Product, int]], rates: TaxRates | Mapping[int, TaxRates]
) -> Quote:
    """Price ``(product, quantity)`` pairs: VAT and withholding per line at the line's
    rates (``rates`` by product id, or one for all), rounded to the currency's unit;
    parts in the order the cooperatives first appear."""
    parts: dict[int, list[LinePrice]] = {}
    for product, quantity in items:
        line_rates = rates if isinstance(rates, TaxRates) else rates[product.pk]
        net = product.price * quantity
        parts.setdefault(product.cooperative_id, []).append(
            LinePrice(
                product_id=product.pk,
                cooperative_id=product.cooperative_id,
                title=product.title,
                quantity=quantity,
                unit_price=product.price,
                vat_rate=line_rates.vat_rate,
                vat=money_round(net * line_rates.vat_rate),
                withholding_rate=line_rates.withholding_rate,
                withholding=money_round(net * line_rates.withholding_rate),
            )
        )
    return Quote(
        parts=tuple(
            PartPrice(cooperative_id=coop_id, lines=tuple(lines))
            for coop_id, lines in parts.items()
        )
    )


def quote_sign(*, quote: Quote, buyer_id: int) -> str:
    return signing.dumps({"buyer": buyer_id, "quote": quote.summary()}, salt=QUOTE_SALT)


def quote_read(*, signed: str, buyer_id: int) -> dict[str, Any]:
    """The summary a ``quote_sign`` produced for this buyer; raises ``QuoteInvalid``."""
    try:
        data = signing.loads(signed or "", salt=QUOTE_SALT)
    except signing.BadSignature:
        raise QuoteInvalid from None
    if not isinstance(data, dict) or data.get("buyer") != buyer_id:
        raise QuoteInvalid
    summary = data.get("quote")
    if not isinstance(summary, dict):
        raise QuoteInvalid
    return summary


@dataclass(frozen=True)
class QuoteChange:
    """One figure that differs between what the buyer saw and what it costs now."""

    what: str  # "unit_price", "vat", "total", "quantity", "added", "removed"
    product_id: int | None = None
    cooperative_id: int | None = None
    title: str = ""
    before: Decimal | int | None = None
    after: Decimal | int | None = None


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def quote_changes(*, seen: dict[str, Any], now: Quote) -> list[QuoteChange]:
    """Every line, part and total figure of ``now`` that differs from ``seen``."""
    changes: list[QuoteChange] = []
    seen_lines: dict[str, Any] = seen.get("lines") or {}
    current = now.summary()
    for key, line in current["lines"].items():
        before = seen_lines.get(key)
        product_id, cooperative_id = int(key), line["cooperative"]
        if before is None:
            changes.append(
                QuoteChange(
                    what="added",
                    product_id=product_id,
                    cooperative_id=cooperative_id,
                    title=line["title"],
                )
            )
            continue
        if before.get("quantity") != line["quantity"]:
            changes.append(
                QuoteChange(
                    what="quantity",
                    product_id=product_id,
                    cooperative_id=cooperative_id,
                    title=line["title"],
                    before=before.get("quantity"),
                    after=line["quantity"],
                )
            )
        for figure in ("unit_price", "vat", "total"):
            if _amount(before.get(figure)) != Decimal(line[figure]):
                changes.append(
                    QuoteChange(
                        what=figure,
                        product_id=product_id,
                        cooperative_id=cooperative_id,
                        title=line["title"],
                        before=_amount(before.get(figure)),
                        after=Decimal(line[figure]),
                    )
                )
    for key, before in seen_lines.items():
        if key not in current["lines"]:
            changes.append(
                QuoteChange(what="removed", product_id=_int(key), title=str(before.get("title")))
            )
    seen_parts: dict[str, Any] = seen.get("parts") or {}
    for key, part in current["parts"].items():
        before = seen_parts.get(key) or {}
        for figure, value in part.items():
            if _amount(before.get(figure)) != Decimal(value):
                changes.append(
                    QuoteChange(
                        what=f"part_{figure}",
                        cooperative_id=int(key),
                        before=_amount(before.get(figure)),
                        after=Decimal(value),
                    )
                )
    if _amount(seen.get("total")) != now.total:
        changes.append(
            QuoteChange(what="grand_total", before=_amount(seen.get("total")), after=now.total)
        )
    return changes


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
