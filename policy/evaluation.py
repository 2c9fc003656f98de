"""The listing policy as a pure function: facts about a listing -> a decision.

No database, no clock, no request: everything the decision depends on is passed in,
so the rules can be tested exhaustively and the same function serves the forms, the
CSV import, the admin, checkout and the regulator's previews. Each rule is judged by
its kind (``policy.kinds``), which also gives the same test as SQL for the set-based
re-evaluation in ``policy.services.closure``; ``tests/policy/test_evaluation.py``
checks that both agree for every kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policy import kinds
from policy.facts import Block, ListingFacts, RuleFacts
from policy.kinds.crossborder_min_price import CrossborderMinPrice
from policy.kinds.protected_category import ProtectedCategory
from policy.kinds.required_certificate import RequiredCertificate

# The codes of the kinds, for the callers (tests, previews) that name one of them.
PROTECTED_CATEGORY = ProtectedCategory.code
CROSSBORDER_MIN_PRICE = CrossborderMinPrice.code
REQUIRED_CERTIFICATE = RequiredCertificate.code


@dataclass(frozen=True)
class Decision:
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def reasons(self) -> list[str]:
        return [block.reason for block in self.blocks]


def evaluate(
    listing: ListingFacts,
    rules: list[RuleFacts],
    *,
    home_country: str,
    currency: str,
    exempt_rule_ids: frozenset[int] = frozenset(),
) -> Decision:
    """Every rule in ``rules`` is taken to be in force; the caller filters by date.
    A rule of a kind no longer registered blocks nothing."""
    blocks = []
    for rule in rules:
        kind = kinds.kind_for(rule.kind)
        if kind is None or rule.id in exempt_rule_ids:
            continue
        block = kind.block(rule, listing, home_country=home_country, currency=currency)
        if block is not None:
            blocks.append(block)
    return Decision(blocks=tuple(blocks))


__all__ = [
    "CROSSBORDER_MIN_PRICE",
    "PROTECTED_CATEGORY",
    "REQUIRED_CERTIFICATE",
    "Block",
    "Decision",
    "ListingFacts",
    "RuleFacts",
    "evaluate",
]
