"""The tax rates checkout applies: the one place the tax issue will replace with the
regulator's dated tax rules. Until then, the country profile's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from policy.profiles import PROFILES


@dataclass(frozen=True)
class TaxRates:
    vat_rate: Decimal
    withholding_rate: Decimal


def tax_rates_in_force() -> TaxRates:
    tax = PROFILES.get(settings.MARKETPLACE_COUNTRY, {}).get("tax", {})
    return TaxRates(
        vat_rate=tax.get("vat_rate", Decimal("0")),
        withholding_rate=tax.get("withholding_rate", Decimal("0"))
        if tax.get("withholding_active")
        else Decimal("0"),
    )
