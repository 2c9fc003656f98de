"""Required certificates: listings in the chosen categories carry a certificate number
of the chosen kind (halal, national standard, food-safety registration), in its format,
before they are published, whoever sells them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policy.certificates import (
    certificate_format_problem,
    certificate_matches,
    certificate_matches_sql,
)
from policy.facts import ListingFacts, RuleFacts
from policy.kinds.base import RuleKind, reference, under_sql


class RequiredCertificate(RuleKind):
    code = "required_certificate"
    label = gettext_lazy("Required certificate")
    new_label = gettext_lazy("New required certificate")
    summary = gettext_lazy(
        "Listings in these categories need a certificate number before publication, "
        "whoever sells them."
    )
    description = gettext_lazy(
        "Listings in the chosen categories need a certificate number of the chosen kind "
        "before they are published, whoever sells them."
    )
    fields = ("certificate_kind", "certificate_format", "categories")
    categories_label = gettext_lazy("Categories that need the certificate")
    categories_help = gettext_lazy("Each covers its subcategories.")
    terms_legend = gettext_lazy("Certificate")

    def violated_by(self, rule: RuleFacts, listing: ListingFacts, *, home_country: str) -> bool:
        return rule.covers(listing.category_path) and not certificate_matches(
            listing.certificate_number, rule.certificate_format
        )

    def violators(self, rule: RuleFacts, *, home_country: str) -> Q:
        return under_sql(rule.category_paths) & ~certificate_matches_sql(
            "certificate_number", rule.certificate_format
        )

    def reason(self, rule: RuleFacts, *, category_name: str, currency: str) -> str:
        return _(
            "Products in “%(category)s” need a valid %(certificate)s number before they "
            "are published, under “%(rule)s”%(ref)s."
        ) % {
            "category": category_name,
            "certificate": rule.certificate_label or _("certificate"),
            "rule": rule.title,
            "ref": reference(rule),
        }

    def check(self, *, fields: Mapping[str, Any], categories: Sequence[object]) -> None:
        if not categories:
            raise ValidationError({"categories": _("Choose the categories that need it.")})
        if not fields.get("certificate_kind"):
            raise ValidationError({"certificate_kind": _("Choose the certificate required.")})
        problem = certificate_format_problem(fields.get("certificate_format") or "")
        if problem:
            raise ValidationError(
                {
                    "certificate_format": _("This format cannot be used: %(problem)s.")
                    % {"problem": problem}
                }
            )
