"""``{{ amount|money }}``: an amount in the marketplace currency, in the reader's locale.

Babel knows each locale's separators; ``marketplace.money`` decides the decimals, so an
amount is shown exactly as it was rounded (IDR, BIF and VND without decimals).
"""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, to_locale

from marketplace.money import currency_digits, money_round

register = template.Library()


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
        return format_currency(
            money_round(value, currency=currency),
            currency,
            locale=locale,
            format="¤ #,##0",
            currency_digits=False,
        ).replace("\xa0", " ")
    return format_currency(value, currency, locale=locale)
