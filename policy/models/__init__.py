"""The listing policy's models, one module per concern."""

from policy.models.appeals import Appeal
from policy.models.decisions import Exemption, ListingDecision
from policy.models.rules import ListingRule, RuleChange
from policy.models.versions import PolicyVersion

__all__ = ["Appeal", "Exemption", "ListingDecision", "ListingRule", "PolicyVersion", "RuleChange"]
