"""Rounding per currency: whole units where the currency has no minor unit in cash."""

from decimal import Decimal

import pytest

from marketplace.money import currency_digits, money_round, money_share


@pytest.mark.parametrize(
    ("currency", "digits"), [("IDR", 0), ("BIF", 0), ("VND", 0), ("USD", 2), ("EUR", 2)]
)
def test_currency_digits_follow_cldr_cash_digits(currency, digits):
    assert currency_digits(currency) == digits


def test_rounding_is_half_up_to_the_currency_unit():
    assert money_round(Decimal("10999.50"), currency="IDR") == Decimal("11000")
    assert money_round(Decimal("10999.49"), currency="VND") == Decimal("10999")
    assert money_round(Decimal("1.005"), currency="USD") == Decimal("1.01")


def test_the_marketplace_currency_is_the_default(settings):
    settings.MARKETPLACE_CURRENCY = "BIF"
    assert money_round(Decimal("2.5")) == Decimal("3")
    settings.MARKETPLACE_CURRENCY = "USD"
    assert money_round(Decimal("2.505")) == Decimal("2.51")


def test_a_share_of_the_whole_is_the_amount_itself():
    assert money_share(Decimal("110999"), part=3, whole=3, currency="IDR") == Decimal("110999")
    assert money_share(Decimal("110999"), part=2, whole=3, currency="IDR") == Decimal("73999")
    with pytest.raises(ValueError):
        money_share(Decimal("1"), part=4, whole=3)
