"""What the listing policy decides on and what it answers: a listing's facts, a rule's
facts, and the block a rule puts on a listing.

Plain values, no database: the pure evaluation (``policy.evaluation``) and each rule
kind (``policy.kinds``) work on these, and ``policy.services.decisions`` builds them
from the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from marketplace.money import money_round


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
