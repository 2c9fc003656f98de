"""The listing policy as a pure function: facts about a listing -> a decision.

No database, no clock, no request: everything the decision depends on is passed in,
so the rules can be tested exhaustively and the same function serves the forms, the
CSV import, the admin, checkout and the regulator's previews. The set-based
re-evaluation in ``policy.services.closure`` expresses the same three tests as
SQL; ``tests/policy/test_evaluation.py`` checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from marketplace.money import money_round
from policy.certificates import certificate_matches

PROTECTED_CATEGORY = "protected_category"
CROSSBORDER_MIN_PRICE = "crossborder_min_price"
REQUIRED_CERTIFICATE = "required_certificate"


@dataclass(frozen=True)
class ListingFacts:
    seller_country: str
    category_path: str
    category_name: str
    price: Decimal
    certificate_number: str = ""


@dataclass(frozen=True)
class RuleFacts:
    id: int
    kind: str
    title: str
    legal_reference: str = ""
    category_paths: tuple[str, ...] = ()
    category_names: tuple[str, ...] = ()
    min_price_usd: Decimal | None = None
    usd_rate: Decimal | None = None
    certificate_label: str = ""
    certificate_format: str = ""

    def covers(self, category_path: str) -> bool:
        return any(category_path.startswith(path) for path in self.category_paths)

    @property
    def min_price_local(self) -> Decimal | None:
        if self.min_price_usd is None or self.usd_rate is None:
            return None
        return money_round(self.min_price_usd * self.usd_rate)


@dataclass(frozen=True)
class Block:
    rule_id: int
    kind: str
    title: str
    legal_reference: str
    reason: str


@dataclass(frozen=True)
class Decision:
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def reasons(self) -> list[str]:
        return [block.reason for block in self.blocks]


def _reference(rule: RuleFacts) -> str:
    return f" ({rule.legal_reference})" if rule.legal_reference else ""


def protected_category_reason(rule: RuleFacts, category_name: str) -> str:
    return _(
        "Sellers registered outside the marketplace's country may not sell in "
        "“%(category)s”: it is protected for local producers under “%(rule)s”%(ref)s."
    ) % {"category": category_name, "rule": rule.title, "ref": _reference(rule)}


def min_price_reason(rule: RuleFacts, currency: str) -> str:
    return _(
        "Goods sold directly from abroad must cost at least %(usd)s US dollars a unit "
        "(%(local)s %(currency)s at the reference rate) under “%(rule)s”%(ref)s."
    ) % {
        "usd": rule.min_price_usd,
        "local": f"{rule.min_price_local:,.0f}" if rule.min_price_local is not None else "?",
        "currency": currency,
        "rule": rule.title,
        "ref": _reference(rule),
    }


def certificate_reason(rule: RuleFacts, category_name: str) -> str:
    return _(
        "Products in “%(category)s” need a valid %(certificate)s number before they "
        "are published, under “%(rule)s”%(ref)s."
    ) % {
        "category": category_name,
        "certificate": rule.certificate_label or _("certificate"),
        "rule": rule.title,
        "ref": _reference(rule),
    }


def evaluate(
    listing: ListingFacts,
    rules: list[RuleFacts],
    *,
    home_country: str,
    currency: str,
    exempt_rule_ids: frozenset[int] = frozenset(),
) -> Decision:
    """Every rule in ``rules`` is taken to be in force; the caller filters by date."""
    cross_border = listing.seller_country != home_country
    blocks = []
    for rule in rules:
        if rule.id in exempt_rule_ids:
            continue
        reason = None
        if rule.kind == PROTECTED_CATEGORY:
            if cross_border and rule.covers(listing.category_path):
                reason = protected_category_reason(rule, listing.category_name)
        elif rule.kind == CROSSBORDER_MIN_PRICE:
            threshold = rule.min_price_local
            if (
                cross_border
                and threshold is not None
                and not rule.covers(listing.category_path)
                and listing.price < threshold
            ):
                reason = min_price_reason(rule, currency)
        elif rule.kind == REQUIRED_CERTIFICATE:
            missing = not certificate_matches(listing.certificate_number, rule.certificate_format)
            reason = (
                certificate_reason(rule, listing.category_name)
                if missing and rule.covers(listing.category_path)
                else None
            )
        if reason is not None:
            blocks.append(
                Block(
                    rule_id=rule.id,
                    kind=rule.kind,
                    title=rule.title,
                    legal_reference=rule.legal_reference,
                    reason=reason,
                )
            )
    return Decision(blocks=tuple(blocks))
