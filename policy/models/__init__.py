"""The regulator's models, one module per concern."""

from policy.models.listing_rules import (
    Appeal,
    Exemption,
    ListingDecision,
    ListingRule,
    RuleChange,
)

__all__ = ["Appeal", "Exemption", "ListingDecision", "ListingRule", "RuleChange"]
