"""``{{ amount|money }}``: an amount in the marketplace currency, in the reader's locale.

Babel knows each locale's separators; ``marketplace.money`` decides the decimals, so an
amount is shown exactly as it was rounded (IDR, BIF and VND without decimals).
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import parse_pattern
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

from marketplace.money import currency_digits, money_round

register = template.Library()

# The amount without decimals, the currency's code first (as in "IDR 150,000").
WHOLE_UNITS = "¤ #,##0"


@lru_cache(maxsize=64)
def _pattern(locale: str, whole_units: bool):
    """The locale and its parsed currency pattern, once per process: what babel's
    ``format_currency`` parses again on every call (a dashboard shows hundreds)."""
    parsed = Locale.parse(locale)
    if whole_units:
        return parsed, parse_pattern(WHOLE_UNITS)
    return parsed, parsed.currency_formats["standard"]


@register.filter
def money(amount, currency: str = "") -> str:
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    currency = (currency or settings.MARKETPLACE_CURRENCY).upper()
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    if currency_digits(currency) == 0:
        parsed, pattern = _pattern(locale, True)
        return pattern.apply(
            money_round(value, currency=currency), parsed, currency=currency, currency_digits=False
        ).replace("\xa0", " ")
    parsed, pattern = _pattern(locale, False)
    return pattern.apply(value, parsed, currency=currency)
