"""Country profiles: the defaults a deployment seeds, which the regulator then edits.

Everything here is data written to the database once (by ``seed_demo`` or
``policy_seed_defaults``); the running platform reads the rules from the database.
The tax rates here are the defaults checkout applies until the regulator's tax rules
(the tax issue) replace them; ``orders.taxes`` is the one place that reads them.
"""

from decimal import Decimal
from typing import Any

PROFILES: dict[str, dict[str, Any]] = {
    "ID": {
        # VAT 11 % charged to the buyer; marketplace withholding of 0.5 % of the
        # seller's turnover (PMK 37/2025) is present but switched off: postponed.
        "tax": {
            "vat_rate": Decimal("0.11"),
            "withholding_rate": Decimal("0.005"),
            "withholding_active": False,
        },
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
        "tax": {
            "vat_rate": Decimal("0.18"),
            "withholding_rate": Decimal("0"),
            "withholding_active": False,
        },
        "listing_rules": [],
    },
    "VN": {
        # Decree 117/2025: the platform withholds 1 % VAT + 0.5 % personal income tax.
        "tax": {
            "vat_rate": Decimal("0"),
            "withholding_rate": Decimal("0.015"),
            "withholding_active": True,
        },
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
