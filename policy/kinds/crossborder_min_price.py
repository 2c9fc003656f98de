"""The minimum price of goods sold directly from abroad (Indonesia's trade regulation
31/2023, art. 19: USD 100 a unit), converted at the regulator's reference rate, except
in the exempt categories (the "positive list": books, films, software, ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policy.facts import ListingFacts, RuleFacts
from policy.kinds.base import (
    NOTHING,
    RuleKind,
    cross_border,
    cross_border_sql,
    reference,
    under_sql,
)


class CrossborderMinPrice(RuleKind):
    code = "crossborder_min_price"
    label = gettext_lazy("Cross-border minimum price")
    new_label = gettext_lazy("New cross-border minimum price")
    summary = gettext_lazy(
        "Goods sold from abroad must cost at least a price in US dollars, except in the "
        "exempt categories."
    )
    description = gettext_lazy(
        "Goods sold from abroad must cost at least the minimum in US dollars, converted at "
        "the reference rate. The chosen categories are exempt (the positive list)."
    )
    fields = ("min_price_usd", "usd_rate", "categories")
    categories_label = gettext_lazy("Exempt categories")
    categories_help = gettext_lazy(
        "The positive list: goods in these categories may cost less. Each covers its subcategories."
    )
    terms_legend = gettext_lazy("Minimum price")

    def violated_by(self, rule: RuleFacts, listing: ListingFacts, *, home_country: str) -> bool:
        threshold = rule.min_price_local
        return (
            cross_border(listing, home_country=home_country)
            and threshold is not None
            and not rule.covers(listing.category_path)
            and listing.price < threshold
        )

    def violators(self, rule: RuleFacts, *, home_country: str) -> Q:
        threshold = rule.min_price_local
        if threshold is None:
            return NOTHING
        condition = cross_border_sql(home_country=home_country) & Q(price__lt=threshold)
        if rule.category_paths:
            condition &= ~under_sql(rule.category_paths)
        return condition

    def reason(self, rule: RuleFacts, *, category_name: str, currency: str) -> str:
        return _(
            "Goods sold directly from abroad must cost at least %(usd)s US dollars a unit "
            "(%(local)s %(currency)s at the reference rate) under “%(rule)s”%(ref)s."
        ) % {
            "usd": rule.min_price_usd,
            "local": f"{rule.min_price_local:,.0f}" if rule.min_price_local is not None else "?",
            "currency": currency,
            "rule": rule.title,
            "ref": reference(rule),
        }

    def check(self, *, fields: Mapping[str, Any], categories: Sequence[object]) -> None:
        errors = {}
        if not fields.get("min_price_usd") or fields["min_price_usd"] <= 0:
            errors["min_price_usd"] = _("Give the minimum price in US dollars.")
        if not fields.get("usd_rate") or fields["usd_rate"] <= 0:
            errors["usd_rate"] = _("Give the reference exchange rate.")
        if errors:
            raise ValidationError(errors)
