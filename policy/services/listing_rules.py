"""Writes of the listing policy: rules, decisions, progressive closure, appeals.

The catalog calls :func:`listing_decide` and :func:`listing_decision_record` on every
write path of a listing; the regulator's rule edits call :func:`listings_reevaluate`
(through a Celery task) which suspends the listings a rule now forbids with a few
set-based statements, whatever the size of the catalog.
"""

from __future__ import annotations

import functools
import operator
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Field, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalog.models import Category, Product
from marketplace.models import User
from marketplace.roles import user_is_regulator
from marketplace.unset import UNSET, Unset, given
from policy import evaluation
from policy.models import Appeal, Exemption, ListingDecision, ListingRule, RuleChange

Kind = ListingRule.Kind


class PolicyError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(PolicyError):
    pass


class AppealRefused(PolicyError):
    pass


# --- Facts ------------------------------------------------------------------------


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


def exemptions_revoke(*, product: Product) -> int:
    """An exemption was granted for the listing as it was: moving it to another category
    ends it, so that the listing is judged afresh where it now is."""
    deleted, _ = Exemption.objects.filter(product=product).delete()
    return deleted


# --- Rules ----------------------------------------------------------------------------

RULE_FIELDS = {
    "kind",
    "title",
    "legal_reference",
    "effective_from",
    "is_active",
    "min_price_usd",
    "usd_rate",
    "certificate_kind",
}


def _check_rule(fields: dict, categories: list[Category]) -> None:
    kind = fields["kind"]
    if kind == Kind.PROTECTED_CATEGORY and not categories:
        raise ValidationError({"categories": _("Choose at least one protected category.")})
    if kind == Kind.REQUIRED_CERTIFICATE:
        if not categories:
            raise ValidationError({"categories": _("Choose the categories that need it.")})
        if not fields.get("certificate_kind"):
            raise ValidationError({"certificate_kind": _("Choose the certificate required.")})
    if kind == Kind.CROSSBORDER_MIN_PRICE:
        errors = {}
        if not fields.get("min_price_usd") or fields["min_price_usd"] <= 0:
            errors["min_price_usd"] = _("Give the minimum price in US dollars.")
        if not fields.get("usd_rate") or fields["usd_rate"] <= 0:
            errors["usd_rate"] = _("Give the reference exchange rate.")
        if errors:
            raise ValidationError(errors)


def _snapshot(rule: ListingRule) -> dict:
    return {
        "kind": rule.kind,
        "title": rule.title,
        "legal_reference": rule.legal_reference,
        "categories": sorted(rule.categories.values_list("slug", flat=True)),
        "effective_from": rule.effective_from.isoformat(),
        "is_active": rule.is_active,
        "min_price_usd": str(rule.min_price_usd) if rule.min_price_usd is not None else None,
        "usd_rate": str(rule.usd_rate) if rule.usd_rate is not None else None,
        "certificate_kind": rule.certificate_kind,
    }


def _require_regulator(actor: User) -> None:
    if actor is not None and not (user_is_regulator(actor) or actor.is_superuser):
        raise NotAllowed(_("Only a regulator can change the listing rules."))


def _after_rule_change(rule: ListingRule) -> None:
    """Re-evaluate the catalog once the change has committed, if it can matter now."""
    from policy.tasks import reevaluate_listings

    if rule.effective_from <= timezone.localdate():
        transaction.on_commit(lambda: reevaluate_listings.delay(rule.pk))


@transaction.atomic
def rule_create(
    *,
    actor: User,
    categories: list[Category],
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    legal_reference: str | Unset = UNSET,
    effective_from: date | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    min_price_usd: Decimal | Unset | None = UNSET,
    usd_rate: Decimal | Unset | None = UNSET,
    certificate_kind: str | Unset = UNSET,
) -> ListingRule:
    _require_regulator(actor)
    fields = given(
        kind=kind,
        title=title,
        legal_reference=legal_reference,
        effective_from=effective_from,
        is_active=is_active,
        min_price_usd=min_price_usd,
        usd_rate=usd_rate,
        certificate_kind=certificate_kind,
    )
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    _check_rule(fields, categories)
    rule = ListingRule.objects.create(**fields)
    rule.categories.set(categories)
    RuleChange.objects.create(rule=rule, actor=actor, action="created", snapshot=_snapshot(rule))
    _after_rule_change(rule)
    return rule


@transaction.atomic
def rule_update(
    *,
    rule: ListingRule,
    actor: User,
    categories: list[Category] | None = None,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    legal_reference: str | Unset = UNSET,
    effective_from: date | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    min_price_usd: Decimal | Unset | None = UNSET,
    usd_rate: Decimal | Unset | None = UNSET,
    certificate_kind: str | Unset = UNSET,
) -> ListingRule:
    _require_regulator(actor)
    fields = given(
        kind=kind,
        title=title,
        legal_reference=legal_reference,
        effective_from=effective_from,
        is_active=is_active,
        min_price_usd=min_price_usd,
        usd_rate=usd_rate,
        certificate_kind=certificate_kind,
    )
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    rule = ListingRule.objects.select_for_update().get(pk=rule.pk)
    merged = {name: getattr(rule, name) for name in RULE_FIELDS} | fields
    new_categories = list(rule.categories.all()) if categories is None else categories
    _check_rule(merged, new_categories)
    for name, value in fields.items():
        setattr(rule, name, value)
    if "effective_from" in fields:
        rule.enforced_on = None
    rule.save()
    if categories is not None:
        rule.categories.set(categories)
    RuleChange.objects.create(rule=rule, actor=actor, action="updated", snapshot=_snapshot(rule))
    _after_rule_change(rule)
    return rule


# --- Progressive closure -------------------------------------------------------------


@dataclass(frozen=True)
class Reevaluation:
    run: uuid.UUID
    suspended: int
    released: int


def _under(paths: tuple[str, ...]) -> Q:
    return functools.reduce(
        operator.or_, (Q(category__path__startswith=path) for path in paths), Q(pk__in=[])
    )


def violation_condition(rule: evaluation.RuleFacts, *, home_country: str) -> Q:
    """The SQL form of ``evaluation.evaluate`` for one rule, as a condition on Product."""
    cross_border = ~Q(cooperative__country=home_country)
    exempted = Q(pk__in=Exemption.objects.filter(rule_id=rule.id).values("product_id"))
    if rule.kind == evaluation.PROTECTED_CATEGORY:
        condition = cross_border & _under(rule.category_paths)
    elif rule.kind == evaluation.CROSSBORDER_MIN_PRICE:
        threshold = rule.min_price_local
        if threshold is None:
            return Q(pk__in=[])
        condition = cross_border & Q(price__lt=threshold)
        if rule.category_paths:
            condition &= ~_under(rule.category_paths)
    elif rule.kind == evaluation.REQUIRED_CERTIFICATE:
        condition = _under(rule.category_paths) & Q(certificate_number="")
    else:
        return Q(pk__in=[])
    return condition & ~exempted


def _insert_decisions_for(
    products: QuerySet,
    *,
    rule_id: int | None,
    outcome: str,
    reason: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    run: uuid.UUID,
    now,
) -> int:
    """``INSERT INTO decisions ... SELECT`` over ``products``: one statement, any size."""
    table = ListingDecision._meta.db_table

    def field(name: str) -> Field:
        concrete = ListingDecision._meta.get_field(name)
        assert isinstance(concrete, Field)  # a column of this model, by name
        return concrete

    candidates = products.annotate(candidate_id=F("pk")).values("candidate_id")
    select_sql, select_params = candidates.query.sql_with_params()
    values = [
        rule_id,
        outcome,
        reason,
        ListingDecision.Trigger.RULE,
        actor_id,
        from_status,
        to_status,
        field("run").get_db_prep_value(run, connection),
        field("created_at").get_db_prep_value(now, connection),
    ]
    sql = (
        f"INSERT INTO {table} (product_id, rule_id, outcome, reason, trigger, actor_id, "  # noqa: S608
        f"from_status, to_status, run, created_at) "
        f"SELECT candidates.candidate_id, {', '.join(['%s'] * len(values))} "
        f"FROM ({select_sql}) AS candidates"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *select_params])
        return cursor.rowcount


@transaction.atomic
def listings_reevaluate(
    *, actor: User | None = None, cooperative_id: int | None = None
) -> Reevaluation:
    """Suspend every active listing that a rule in force now forbids, and bring back
    suspended listings that no rule forbids any more. Set-based: a handful of
    statements per rule, no loop over products. Idempotent: a second run finds
    nothing to change.
    """
    from catalog.services.products import products_move_status

    run = uuid.uuid4()
    now = timezone.now()
    home = settings.MARKETPLACE_COUNTRY
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    scope = Product.objects.all()
    if cooperative_id is not None:
        scope = scope.filter(cooperative_id=cooperative_id)
    rules = rules_in_force()
    Status = Product.Status

    # Reasons stored for the record are written in the site's default language.
    with override(settings.LANGUAGE_CODE):
        for rule in rules:
            condition = violation_condition(rule, home_country=home)
            violators = scope.filter(condition, status=Status.ACTIVE)
            reason = _rule_reason_for_record(rule)
            _insert_decisions_for(
                violators,
                rule_id=rule.id,
                outcome=ListingDecision.Outcome.BLOCKED,
                reason=reason,
                from_status=Status.ACTIVE,
                to_status=Status.SUSPENDED,
                actor_id=actor_id,
                run=run,
                now=now,
            )
        suspended = products_move_status(
            products=scope.filter(
                pk__in=ListingDecision.objects.filter(run=run).values("product_id")
            ),
            from_status=Status.ACTIVE,
            to_status=Status.SUSPENDED,
        )

        forbidden = functools.reduce(
            operator.or_,
            (violation_condition(rule, home_country=home) for rule in rules),
            Q(pk__in=[]),
        )
        released_candidates = scope.filter(status=Status.SUSPENDED).exclude(forbidden)
        released_run = uuid.uuid4()
        _insert_decisions_for(
            released_candidates,
            rule_id=None,
            outcome=ListingDecision.Outcome.ALLOWED,
            reason=_("No rule in force forbids this listing any more."),
            from_status=Status.SUSPENDED,
            to_status=Status.ACTIVE,
            actor_id=actor_id,
            run=released_run,
            now=now,
        )
        released = products_move_status(
            products=scope.filter(
                pk__in=ListingDecision.objects.filter(run=released_run).values("product_id")
            ),
            from_status=Status.SUSPENDED,
            to_status=Status.ACTIVE,
        )

    if suspended or released:
        from policy.tasks import notify_reevaluation

        runs = [str(run), str(released_run)]
        transaction.on_commit(lambda: notify_reevaluation.delay(runs))
    return Reevaluation(run=run, suspended=suspended, released=released)


def _rule_reason_for_record(rule: evaluation.RuleFacts) -> str:
    names = ", ".join(rule.category_names)
    if rule.kind == evaluation.PROTECTED_CATEGORY:
        return evaluation.protected_category_reason(rule, names)
    if rule.kind == evaluation.CROSSBORDER_MIN_PRICE:
        return evaluation.min_price_reason(rule, settings.MARKETPLACE_CURRENCY)
    return evaluation.certificate_reason(rule, names)


@transaction.atomic
def rules_enforce_due(*, today=None) -> Reevaluation | None:
    """Re-evaluate once for rules that reached their effective date (Celery beat)."""
    today = today or timezone.localdate()
    due = ListingRule.objects.select_for_update(skip_locked=True).filter(
        Q(enforced_on__isnull=True) | Q(enforced_on__lt=F("effective_from")),
        is_active=True,
        effective_from__lte=today,
    )
    due_ids = list(due.values_list("pk", flat=True))
    if not due_ids:
        return None
    result = listings_reevaluate()
    ListingRule.objects.filter(pk__in=due_ids).update(enforced_on=today)
    return result


# --- Appeals ------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, decision: ListingDecision, actor: User, statement: str) -> Appeal:
    """A member of the listing's cooperative appeals one blocking decision, once."""
    from sellers.selectors import member_of

    statement = (statement or "").strip()
    if not statement:
        raise AppealRefused(_("Explain why the block should be lifted."))
    if decision.outcome != ListingDecision.Outcome.BLOCKED or decision.rule_id is None:
        raise AppealRefused(_("Only a block can be appealed."))
    product = decision.product
    if member_of(user=actor, cooperative=product.cooperative) is None:
        raise NotAllowed(_("Only the listing's cooperative can appeal."))
    if Appeal.objects.filter(decision=decision).exists():
        raise AppealRefused(_("This decision has already been appealed."))
    return Appeal.objects.create(decision=decision, statement=statement, filed_by=actor)


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor: User, grant: bool, response: str) -> Appeal:
    """Uphold the block, or grant an exemption for this listing from this rule."""
    from catalog.services.products import product_policy_refresh

    if not (user_is_regulator(actor) or actor.is_superuser):
        raise NotAllowed(_("Only a regulator can decide appeals."))
    appeal = Appeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise AppealRefused(_("This appeal has already been decided."))
    response = (response or "").strip()
    if not grant and not response:
        raise AppealRefused(_("Tell the seller why the block is upheld."))
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.UPHELD
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.response = response
    appeal.save(update_fields=["status", "decided_by", "decided_at", "response"])
    from policy.tasks import send_appeal_decided_email

    transaction.on_commit(lambda: send_appeal_decided_email.delay(appeal.pk))
    if grant:
        Exemption.objects.get_or_create(
            product_id=appeal.decision.product_id,
            rule_id=appeal.decision.rule_id,
            defaults={"appeal": appeal, "granted_by": actor},
        )
        product_policy_refresh(
            product=Product.objects.get(pk=appeal.decision.product_id),
            actor=actor,
            trigger=ListingDecision.Trigger.APPEAL,
        )
    return appeal


@transaction.atomic
def rules_seed_defaults(*, country: str, actor: User | None = None) -> int:
    """Create the country profile's default rules that do not exist yet (by title)."""
    from policy.profiles import PROFILES

    created = 0
    for spec in PROFILES.get(country, {}).get("listing_rules", []):
        spec = dict(spec)
        slugs = spec.pop("categories", [])
        if ListingRule.objects.filter(title=spec["title"]).exists():
            continue
        categories = list(Category.objects.filter(slug__in=slugs))
        _check_rule(spec, categories)
        rule = ListingRule.objects.create(**spec)
        rule.categories.set(categories)
        RuleChange.objects.create(rule=rule, actor=actor, action="seeded", snapshot=_snapshot(rule))
        _after_rule_change(rule)
        created += 1
    return created
