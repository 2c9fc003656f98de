"""``{{ amount|money }}``: an amount in the marketplace currency, in the reader's locale.

Babel knows each currency's minor unit and each locale's separators; IDR, BIF and
VND are shown without decimals, as they are used in practice.
"""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

register = template.Library()

NO_MINOR_UNIT = {"IDR", "BIF", "VND"}


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
    if currency in NO_MINOR_UNIT:
        return format_currency(
            value.quantize(Decimal("1")),
            currency,
            locale=locale,
            format="¤ #,##0",
            currency_digits=False,
        ).replace("\xa0", " ")
    return format_currency(value, currency, locale=locale)
