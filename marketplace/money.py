"""Money rounding: the one place that knows how many decimals a currency has.

Every amount the platform computes (VAT and withholding per line, refunds, totals)
is rounded here, to the marketplace currency's unit, half up.

The unit comes from CLDR (through babel): the smaller of the currency's accounting
digits and its cash digits. This matters for the rupiah: CLDR gives IDR two
accounting digits but zero cash digits, and in practice no amount below one rupiah
is charged, paid or refunded (sen coins have not circulated for decades; prices,
receipts and tax invoices are in whole rupiah). Burundian francs and dong have no
minor unit at all. Buyers pay cash or mobile money, so the cash unit is the one an
amount must be payable in.

Amounts are still stored with two decimals (``MONEY_FIELD``) so that a deployment in a
currency with cents needs no migration.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.core import get_global
from django.conf import settings

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}
STORAGE_UNIT = Decimal("0.01")


@cache
def currency_digits(currency: str) -> int:
    """Decimals an amount in ``currency`` is rounded to (CLDR: min of digits and cash digits)."""
    fractions = get_global("currency_fractions")
    digits, _rounding, cash_digits, _cash_rounding = fractions.get(
        currency.upper(), fractions["DEFAULT"]
    )
    return min(digits, cash_digits, MONEY_FIELD["decimal_places"])


def currency_unit(currency: str | None = None) -> Decimal:
    """The smallest amount of ``currency`` (the marketplace currency by default): 1 or 0.01."""
    return Decimal(1).scaleb(-currency_digits(currency or settings.MARKETPLACE_CURRENCY))


def money_round(amount: Decimal, *, currency: str | None = None) -> Decimal:
    """``amount`` rounded half up to the currency's unit (whole rupiah, francs, dong)."""
    return amount.quantize(currency_unit(currency), rounding=ROUND_HALF_UP)


def money_share(amount: Decimal, *, part: int, whole: int, currency: str | None = None) -> Decimal:
    """``part / whole`` of ``amount``, rounded once (a refund of some units of a line)."""
    if whole <= 0 or not 0 <= part <= whole:
        raise ValueError("part must be between 0 and whole, and whole positive")
    if part == whole:
        return amount
    return money_round(amount * part / whole, currency=currency)
