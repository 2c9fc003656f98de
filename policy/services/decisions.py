"""The low layer of the listing policy: a listing's facts, the decision on them, and its
record. The catalog and orders call these on every write path of a listing and at
checkout; nothing here imports the apps above (catalog, sellers, orders).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from marketplace.models import User
from policy import evaluation
from policy.models import Exemption, ListingDecision, ListingRule

if TYPE_CHECKING:
    from catalog.models import Product


def _rule_facts(rule: ListingRule) -> evaluation.RuleFacts:
    categories = sorted(rule.categories.all(), key=lambda c: c.path)
    return evaluation.RuleFacts(
        id=rule.pk,
        kind=rule.kind,
        title=rule.title,
        legal_reference=rule.legal_reference,
        category_paths=tuple(c.path for c in categories),
        category_names=tuple(c.name for c in categories),
        min_price_usd=rule.min_price_usd,
        usd_rate=rule.usd_rate,
        certificate_label=rule.get_certificate_kind_display() if rule.certificate_kind else "",
    )


def rules_in_force(*, on=None) -> list[evaluation.RuleFacts]:
    today = on or timezone.localdate()
    rules = (
        ListingRule.objects.filter(is_active=True, effective_from__lte=today)
        .prefetch_related("categories")
        .order_by("pk")
    )
    return [_rule_facts(rule) for rule in rules]


def listing_facts(*, product: Product) -> evaluation.ListingFacts:
    return evaluation.ListingFacts(
        seller_country=product.cooperative.country.code,
        category_path=product.category.path,
        category_name=product.category.name,
        price=product.price,
        certificate_number=product.certificate_number or "",
    )


def listing_decide(*, product: Product, rules=None) -> evaluation.Decision:
    """Evaluate a listing as it stands (saved or not) against the rules in force."""
    exempt: frozenset[int] = frozenset()
    if product.pk:
        exempt = frozenset(
            Exemption.objects.filter(product=product).values_list("rule_id", flat=True)
        )
    return evaluation.evaluate(
        listing_facts(product=product),
        rules if rules is not None else rules_in_force(),
        home_country=settings.MARKETPLACE_COUNTRY,
        currency=settings.MARKETPLACE_CURRENCY,
        exempt_rule_ids=exempt,
    )


def listings_decide(*, products: list[Product]) -> dict[int, evaluation.Decision]:
    """Decide many saved listings at once (checkout): three queries whatever their number.

    ``products`` must come with ``cooperative`` and ``category`` loaded.
    """
    rules = rules_in_force()
    exempt: dict[int, set[int]] = {}
    for product_id, rule_id in Exemption.objects.filter(
        product_id__in=[p.pk for p in products]
    ).values_list("product_id", "rule_id"):
        exempt.setdefault(product_id, set()).add(rule_id)
    return {
        product.pk: evaluation.evaluate(
            listing_facts(product=product),
            rules,
            home_country=settings.MARKETPLACE_COUNTRY,
            currency=settings.MARKETPLACE_CURRENCY,
            exempt_rule_ids=frozenset(exempt.get(product.pk, ())),
        )
        for product in products
    }


def listing_decision_record(
    *,
    product: Product,
    decision: evaluation.Decision,
    trigger: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
) -> list[ListingDecision]:
    """Store the decision: one row when allowed, one row per blocking rule otherwise."""
    run = uuid.uuid4()
    common = {
        "product": product,
        "trigger": trigger,
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "from_status": from_status if from_status != to_status else "",
        "to_status": to_status if from_status != to_status else "",
        "run": run,
    }
    if decision.allowed:
        rows = [ListingDecision(outcome=ListingDecision.Outcome.ALLOWED, **common)]
    else:
        rows = [
            ListingDecision(
                outcome=ListingDecision.Outcome.BLOCKED,
                rule_id=block.rule_id,
                reason=block.reason,
                **common,
            )
            for block in decision.blocks
        ]
    return ListingDecision.objects.bulk_create(rows)
