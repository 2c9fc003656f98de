"""The low layer of the listing policy: a listing's facts, the decision on them, and its
record. The catalog and orders call these on every write path of a listing and at
checkout; nothing here imports the apps above (catalog, sellers, orders).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.utils import timezone

from marketplace.models import User
from policy import evaluation
from policy.certificates import certificate_format
from policy.models import Exemption, ListingDecision, ListingRule, PolicyVersion
from policy.services.exemptions import exemptions_still_covering

if TYPE_CHECKING:
    from catalog.models import Product, ProductStatusChange


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
        certificate_format=certificate_format(
            kind=rule.certificate_kind, custom=rule.certificate_format
        ),
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


def _policy_version_lock(sql: str) -> None:
    table = connection.ops.quote_name(PolicyVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table))
        if cursor.rowcount == 0:  # the row is made on first use (and after a flush)
            cursor.execute(
                f"INSERT INTO {table} (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"  # noqa: S608
            )
            cursor.execute(sql.format(table=table))


def policy_version_share() -> None:
    """Hold the policy version row ``FOR SHARE`` until the caller's transaction ends.

    Every listing write calls this (through :func:`listing_decide`) before it reads the
    rules, so a re-evaluation (which takes the row ``FOR UPDATE``) waits for it to
    commit and then sees it, or has already committed and the write decides against
    the rules it enforced. Listing writes do not wait for one another. On SQLite (the
    embedded default) writers are serialised by the database itself.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        _policy_version_lock("SELECT version FROM {table} WHERE id = 1 FOR SHARE")


def policy_version_bump() -> None:
    """Take the policy version row ``FOR UPDATE`` and bump it: rule changes and
    re-evaluations call this first, and wait for the listing writes deciding now."""
    if connection.vendor == "postgresql":
        _policy_version_lock("UPDATE {table} SET version = version + 1 WHERE id = 1")


def listing_decide(*, product: Product, rules=None) -> evaluation.Decision:
    """Evaluate a listing as it stands (saved or not) against the rules in force.

    Inside a transaction (every write path) the policy version row is held for share
    until it commits: see :func:`policy_version_share`."""
    policy_version_share()
    facts = listing_facts(product=product)
    exempt: frozenset[int] = frozenset()
    if product.pk:
        granted = Exemption.objects.in_force().filter(product=product)
        exempt = exemptions_still_covering(exemptions=list(granted), facts=facts)
    return evaluation.evaluate(
        facts,
        rules if rules is not None else rules_in_force(),
        home_country=settings.MARKETPLACE_COUNTRY,
        currency=settings.MARKETPLACE_CURRENCY,
        exempt_rule_ids=exempt,
    )


def listings_decide(*, products: list[Product]) -> dict[int, evaluation.Decision]:
    """Decide many saved listings at once (checkout): three queries whatever their number.

    ``products`` must come with ``cooperative`` and ``category`` loaded.
    """
    policy_version_share()
    rules = rules_in_force()
    exempt: dict[int, set[int]] = {}
    for product_id, rule_id in (
        Exemption.objects.in_force()
        .filter(product_id__in=[p.pk for p in products])
        .values_list("product_id", "rule_id")
    ):
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
    status_change: ProductStatusChange | None = None,
) -> list[ListingDecision]:
    """Store the decision: one row when allowed, one row per blocking rule otherwise.
    ``status_change`` is the move the decision made, written by the catalog's status
    service (``catalog.services.status``), if it moved the listing."""
    run = uuid.uuid4()
    common = {
        "product": product,
        "trigger": trigger,
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "status_change": status_change,
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
