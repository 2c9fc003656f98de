"""Country profiles: the defaults a deployment seeds, which the regulator then edits.

Everything here is data written to the database once (by ``seed_demo`` or
``policy_seed_defaults``); the running platform reads the rules from the database.
The tax rules here are seeded once (``taxes_seed_defaults``); checkout reads the
regulator's rules from the database (``policy.selectors.taxes``).
"""

from decimal import Decimal
from typing import Any

PROFILES: dict[str, dict[str, Any]] = {
    "ID": {
        # VAT 11 % charged to the buyer; marketplace withholding of 0.5 % of the
        # seller's turnover (PMK 37/2025) is present but switched off: postponed.
        "tax_rules": [
            {
                "kind": "vat",
                "levy": "VAT",
                "title": "VAT",
                "legal_reference": "Law 7/2021 on Harmonised Tax Regulations",
                "rate": Decimal("0.11"),
            },
            {
                "kind": "withholding",
                "levy": "Income tax",
                "title": "Marketplace withholding of 0.5 % of turnover",
                "legal_reference": "PMK 37/2025 (start postponed)",
                "rate": Decimal("0.005"),
                "enabled": False,
            },
        ],
        "listing_rules": [
            {
                "kind": "protected_category",
                "title": "Protected clusters for local MSMEs",
                "legal_reference": "Closure of cross-border sellers in protected clusters, 2023",
                "categories": ["textiles-fashion", "food-beverages", "crafts"],
            },
            {
                "kind": "crossborder_min_price",
                "title": "Minimum price of goods sold directly from abroad",
                "legal_reference": "Trade Minister Regulation 31/2023, art. 19",
                "min_price_usd": Decimal("100"),
                "usd_rate": Decimal("16000"),
                "categories": ["books"],
            },
            {
                "kind": "required_certificate",
                "title": "Halal certification of food and beverages",
                "legal_reference": "Law 33/2014 on Halal Product Assurance",
                "certificate_kind": "halal",
                "categories": ["food-beverages"],
            },
        ],
    },
    "BI": {
        # VAT 18 %, 10 % on processed foods, unprocessed farm produce exempt.
        "tax_rules": [
            {
                "kind": "vat",
                "levy": "VAT",
                "title": "VAT",
                "legal_reference": "Law 1/10 of 2013 on VAT",
                "rate": Decimal("0.18"),
                "exempt": ["agricultural-raw-materials"],
            },
            {
                "kind": "vat",
                "levy": "VAT",
                "title": "Reduced VAT on food and beverages",
                "legal_reference": "Law 1/10 of 2013 on VAT, reduced rate",
                "rate": Decimal("0.10"),
                "categories": ["food-beverages"],
            },
        ],
        "listing_rules": [],
    },
    "VN": {
        # Decree 117/2025: the platform withholds 1 % VAT + 0.5 % personal income tax
        # on goods, filed by the 20th of the next month.
        "tax_filing_day": 20,
        "tax_rules": [
            {
                "kind": "withholding",
                "levy": "VAT",
                "title": "VAT withheld by the platform",
                "legal_reference": "Decree 117/2025/ND-CP",
                "rate": Decimal("0.01"),
            },
            {
                "kind": "withholding",
                "levy": "Personal income tax",
                "title": "Personal income tax withheld by the platform",
                "legal_reference": "Decree 117/2025/ND-CP",
                "rate": Decimal("0.005"),
            },
        ],
        "listing_rules": [
            {
                "kind": "required_certificate",
                "title": "Food-safety registration",
                "legal_reference": "Decree 15/2018/ND-CP",
                "certificate_kind": "food_safety",
                "categories": ["food-beverages"],
            },
        ],
    },
}
