"""The listing policy's models, one module per concern."""

from policy.models.api import ApiToken
from policy.models.appeals import Appeal, AppealStatusChange
from policy.models.certification import Certificate, CertificateReminder
from policy.models.decisions import Exemption, ListingDecision
from policy.models.inspections import Inspection, InspectionEvidence, Sanction
from policy.models.recalls import Recall, RecallProduct
from policy.models.reports import Report
from policy.models.rollups import (
    ActivityRollup,
    CooperativeRollup,
    MarketRollup,
    RollupDay,
    SalesRollup,
)
from policy.models.rules import ListingRule, RuleChange
from policy.models.taxes import CommissionRate, Payout, TaxAssessment, TaxPeriod, TaxRule
from policy.models.versions import PolicyVersion
from policy.models.villages import Commune, DigitalVillage

__all__ = [
    "ActivityRollup",
    "ApiToken",
    "Appeal",
    "AppealStatusChange",
    "Certificate",
    "CertificateReminder",
    "CommissionRate",
    "Commune",
    "CooperativeRollup",
    "DigitalVillage",
    "Exemption",
    "Inspection",
    "InspectionEvidence",
    "ListingDecision",
    "ListingRule",
    "MarketRollup",
    "Payout",
    "PolicyVersion",
    "Recall",
    "RecallProduct",
    "Report",
    "RollupDay",
    "RuleChange",
    "SalesRollup",
    "Sanction",
    "TaxAssessment",
    "TaxPeriod",
    "TaxRule",
]
