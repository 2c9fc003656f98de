"""Protected categories: sellers registered abroad may not list in them (a category
covers its descendants). Local cooperatives are not affected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policy.facts import ListingFacts, RuleFacts
from policy.kinds.base import RuleKind, cross_border, cross_border_sql, reference, under_sql


class ProtectedCategory(RuleKind):
    code = "protected_category"
    label = gettext_lazy("Protected category")
    new_label = gettext_lazy("New protected category")
    summary = gettext_lazy("Cross-border sellers may not list in these categories.")
    description = gettext_lazy(
        "Cross-border sellers may not list in the chosen categories (and their "
        "subcategories). Local cooperatives are not affected."
    )
    fields = ("categories",)
    categories_label = gettext_lazy("Protected categories")
    categories_help = gettext_lazy(
        "Cross-border sellers may not list in these. Each covers its subcategories."
    )

    def violated_by(self, rule: RuleFacts, listing: ListingFacts, *, home_country: str) -> bool:
        return cross_border(listing, home_country=home_country) and rule.covers(
            listing.category_path
        )

    def violators(self, rule: RuleFacts, *, home_country: str) -> Q:
        return cross_border_sql(home_country=home_country) & under_sql(rule.category_paths)

    def reason(self, rule: RuleFacts, *, category_name: str, currency: str) -> str:
        return _(
            "Sellers registered outside the marketplace's country may not sell in "
            "“%(category)s”: it is protected for local producers under “%(rule)s”%(ref)s."
        ) % {"category": category_name, "rule": rule.title, "ref": reference(rule)}

    def check(self, *, fields: Mapping[str, Any], categories: Sequence[object]) -> None:
        if not categories:
            raise ValidationError({"categories": _("Choose at least one protected category.")})
